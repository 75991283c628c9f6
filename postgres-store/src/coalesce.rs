//! Commit coalescing: appends that arrive while every write slot is busy wait in a queue, and
//! the next slot to come free writes all of them (those that share no stream) in ONE statement,
//! so one transaction and one commit carry many callers' appends. Each caller keeps its own
//! outcome: a call whose expectation fails stores nothing and costs the others nothing (the
//! statement skips it, see `sql::APPEND`), and goes its own way through the single-call path,
//! which reports its conflict or recognises its exact re-send.
//!
//! With fewer concurrent appends than slots nothing waits: each call sends its own statement
//! at once, as without coalescing. Nothing waits on a timer either: a group is whatever
//! arrived while the slots were busy.
//!
//! A group's statement runs in a task of its own, so a caller that gives up (drops its future)
//! takes nobody else's append with it. A call whose caller gave up before its group formed is
//! dropped unsent.

use std::{collections::VecDeque, sync::Arc};

use es_core::{AppendResult, Error, Result, StreamAppend, StreamId};
use futures_util::future::join_all;
use parking_lot::Mutex;
use sqlx::PgPool;
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::append::{self, Columns};

/// The most calls one coalesced statement carries.
const MAX_GROUP_CALLS: usize = 256;

/// The most events one coalesced statement carries (a single call may carry more, up to the
/// store's claims: it is then written alone).
const MAX_GROUP_EVENTS: usize = 10_000;

/// The most payload and metadata bytes one coalesced statement carries (same proviso).
const MAX_GROUP_BYTES: usize = 8 << 20;

/// The append path of one store: its write slots and the calls waiting for one.
pub(crate) struct Coalescer {
    pool: PgPool,
    slots: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Slots writing now (a caller's own statement or a group's).
    busy: usize,
    queue: VecDeque<Waiting>,
}

/// Whether a call goes now, on a free slot, or waits for a group.
enum Turn {
    Now(Vec<StreamAppend>),
    Queued(oneshot::Receiver<Result<Vec<AppendResult>>>),
}

/// A call waiting for a slot.
struct Waiting {
    appends: Vec<StreamAppend>,
    reply: oneshot::Sender<Result<Vec<AppendResult>>>,
}

impl Waiting {
    fn events(&self) -> usize {
        self.appends.iter().map(|a| a.events.len()).sum()
    }

    fn bytes(&self) -> usize {
        self.appends
            .iter()
            .flat_map(|a| &a.events)
            .map(|e| e.payload.as_str().len() + e.event_type.as_str().len())
            .sum()
    }

    fn touches(&self, streams: &[StreamId]) -> bool {
        self.appends.iter().any(|a| streams.contains(&a.stream))
    }
}

impl Coalescer {
    /// A coalescer that writes at most `slots` statements at once (at least 1).
    pub(crate) fn new(pool: PgPool, slots: usize) -> Arc<Self> {
        Arc::new(Self {
            pool,
            slots: slots.max(1),
            state: Mutex::new(State::default()),
        })
    }

    /// How many calls wait for a slot right now.
    pub(crate) fn waiting(&self) -> usize {
        self.state.lock().queue.len()
    }

    /// Appends one call's appends (validated by the caller) atomically, alone when a slot is
    /// free, else in the next group.
    pub(crate) async fn append(
        self: &Arc<Self>,
        appends: Vec<StreamAppend>,
    ) -> Result<Vec<AppendResult>> {
        let turn = {
            let mut state = self.state.lock();
            // A free slot with nobody queued: go now. With a queue, join it, so that nobody
            // overtakes the calls that were there first.
            if state.busy < self.slots && state.queue.is_empty() {
                state.busy += 1;
                Turn::Now(appends)
            } else {
                let (reply, answer) = oneshot::channel();
                state.queue.push_back(Waiting { appends, reply });
                Turn::Queued(answer)
            }
        };
        let answer = match turn {
            Turn::Now(appends) => return self.append_alone(appends).await,
            Turn::Queued(answer) => answer,
        };
        answer.await.unwrap_or_else(|_| {
            Err(Error::Backend {
                message: "the task writing this append's group stopped before it answered (the runtime shut down?); \
                          the append may or may not be stored: read the stream, or re-send it with the same event ids"
                    .into(),
                retryable: true,
                source: None,
            })
        })
    }

    async fn append_alone(
        self: &Arc<Self>,
        appends: Vec<StreamAppend>,
    ) -> Result<Vec<AppendResult>> {
        let slot = Slot(Arc::clone(self));
        let result = append::append(&self.pool, &appends).await;
        drop(slot);
        result
    }

    /// The next group from the front of the queue: calls in arrival order that share no stream
    /// with an earlier member, within the group limits. Calls whose callers gave up are dropped.
    fn next_group(&self) -> Vec<Waiting> {
        let mut state = self.state.lock();
        let mut group: Vec<Waiting> = Vec::new();
        // The streams the group writes to, kept beside it rather than collected per candidate.
        let mut streams: Vec<StreamId> = Vec::new();
        let mut kept = VecDeque::new();
        let (mut events, mut bytes) = (0, 0);
        while let Some(call) = state.queue.pop_front() {
            if call.reply.is_closed() {
                continue;
            }
            let fits = group.is_empty()
                || (group.len() < MAX_GROUP_CALLS
                    && events + call.events() <= MAX_GROUP_EVENTS
                    && bytes + call.bytes() <= MAX_GROUP_BYTES
                    && !call.touches(&streams));
            if fits {
                events += call.events();
                bytes += call.bytes();
                streams.extend(call.appends.iter().map(|a| a.stream.clone()));
                group.push(call);
            } else {
                kept.push_back(call);
                if group.len() >= MAX_GROUP_CALLS {
                    break;
                }
            }
        }
        kept.append(&mut state.queue);
        state.queue = kept;
        group
    }

    /// Gives a slot back, or hands it to a new group task when calls are waiting.
    fn release(self: &Arc<Self>) {
        let mut state = self.state.lock();
        if state.queue.is_empty() {
            state.busy = state.busy.saturating_sub(1);
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                drop(state);
                runtime.spawn(Arc::clone(self).drain(Slot(Arc::clone(self))));
            }
            Err(_) => {
                // No runtime to write on (the slot was given back outside one): the waiting
                // calls get an error instead of waiting for ever. Nothing of them was sent.
                state.busy = state.busy.saturating_sub(1);
                for call in state.queue.drain(..) {
                    let _ = call.reply.send(Err(Error::Backend {
                        message: "no tokio runtime was running to write this append; nothing was stored, retry it"
                            .into(),
                        retryable: true,
                        source: None,
                    }));
                }
            }
        }
    }

    /// Writes groups while calls are waiting, on the slot it was handed.
    async fn drain(self: Arc<Self>, slot: Slot) {
        loop {
            let group = self.next_group();
            if group.is_empty() {
                break;
            }
            self.write(group).await;
        }
        drop(slot);
    }

    /// Writes one group and answers each of its callers.
    async fn write(&self, group: Vec<Waiting>) {
        let events: usize = group.iter().map(Waiting::events).sum();
        let span = tracing::debug_span!("append_group", calls = group.len(), events);
        async {
            if group.len() == 1 {
                for call in group {
                    let result = append::append(&self.pool, &call.appends).await;
                    let _ = call.reply.send(result);
                }
                return;
            }
            let calls: Vec<&[StreamAppend]> = group.iter().map(|w| w.appends.as_slice()).collect();
            let outcomes = match Columns::of_group(&calls) {
                Ok(columns) => match append::insert(&self.pool, &columns, &calls).await {
                    Ok(outcomes) => Some(outcomes),
                    Err(error) => {
                        tracing::debug!(%error, "a coalesced statement stored nothing");
                        None
                    }
                },
                Err(_) => None,
            };
            drop(calls);
            // Without outcomes (the statement was aborted by a rejection, or failed), and for
            // every call it skipped, each call goes its own way: the single-call path reports
            // conflicts, recognises re-sends (also of a group that was stored although its
            // reply was lost) and retries lost races. Calls share no stream, so they run
            // side by side.
            let outcomes = outcomes.unwrap_or_else(|| vec![None; group.len()]);
            let mut alone = Vec::new();
            for (call, outcome) in group.into_iter().zip(outcomes) {
                match outcome {
                    Some(results) => {
                        let _ = call.reply.send(Ok(results));
                    }
                    None => alone.push(call),
                }
            }
            if !alone.is_empty() {
                tracing::debug!(calls = alone.len(), "appends of a group go alone");
            }
            join_all(alone.into_iter().map(|call| async move {
                let result = append::append(&self.pool, &call.appends).await;
                let _ = call.reply.send(result);
            }))
            .await;
        }
        .instrument(span)
        .await;
    }
}

/// A busy write slot; given back (or handed on) when dropped, also when its holder is cancelled.
struct Slot(Arc<Coalescer>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.release();
    }
}
