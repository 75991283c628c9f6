//! Running a plan: every batch starts its tasks together at a start line, and every call is
//! recorded with what the store answered.

use es_core::{
    AppendResult, Error, EventReaderExt, EventRef, EventStore, ExpectedVersion, ReadAll,
    RecordedEvent, StreamAppend, StreamId, Version,
};

use super::plan::{PartExpect, Plan, Step};
use crate::cases::race::{race, settled_call};

/// Why a send was refused.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Refusal {
    /// A version conflict, as the store reported it.
    Conflict {
        stream: StreamId,
        expected: ExpectedVersion,
        actual: Option<Version>,
    },
    /// Any other error, as text.
    Other(String),
}

/// What one step did.
#[derive(Clone, Debug)]
pub(crate) enum Did {
    /// Sent call `call` with these expectations (per part, as sent).
    Sent {
        call: usize,
        expected: Vec<ExpectedVersion>,
        outcome: Result<Vec<AppendResult>, Refusal>,
    },
    ReadStream {
        stream: StreamId,
        events: Vec<RecordedEvent>,
    },
    Head {
        stream: StreamId,
        head: Option<EventRef>,
    },
    ReadAll {
        events: Vec<RecordedEvent>,
    },
}

/// One step in the history: when (batch, task, place in the task) and what.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) batch: usize,
    pub(crate) task: usize,
    pub(crate) seq: usize,
    pub(crate) did: Did,
}

impl Record {
    /// Whether this step ended before `later` began: an earlier batch, or earlier in the same
    /// task (steps of one batch in different tasks overlap).
    pub(crate) fn before(&self, later: &Record) -> bool {
        self.batch < later.batch
            || (self.batch == later.batch && self.task == later.task && self.seq < later.seq)
    }
}

/// The store at the end: every stream of the run (with its head) and the global order.
#[derive(Clone, Debug)]
pub(crate) struct Final {
    pub(crate) streams: Vec<(StreamId, Vec<RecordedEvent>, Option<EventRef>)>,
    pub(crate) all: Vec<RecordedEvent>,
}

/// Runs `plan` against `store` and records every step; a read that fails, or any failure
/// other than a refused send, ends the run with the reason.
pub(crate) async fn run<S: EventStore + Clone + 'static>(
    store: &S,
    plan: &Plan,
) -> Result<(Vec<Record>, Final), String> {
    let mut history = Vec::new();
    for (batch, tasks) in plan.batches.iter().enumerate() {
        let done = race(tasks.len(), |task, line| {
            let (store, steps, calls) = (store.clone(), tasks[task].clone(), plan.calls.clone());
            async move {
                line.go().await;
                let mut records = Vec::new();
                for (seq, step) in steps.iter().enumerate() {
                    let did = match step {
                        Step::Send(call) => send(&store, &calls[*call], *call).await?,
                        Step::ReadStream(s) => Did::ReadStream {
                            stream: s.clone(),
                            events: store
                                .read_whole_stream(s)
                                .await
                                .map_err(|e| format!("read_stream({s}) failed: {e}"))?,
                        },
                        Step::Head(s) => Did::Head {
                            stream: s.clone(),
                            head: store
                                .stream_head(s)
                                .await
                                .map_err(|e| format!("stream_head({s}) failed: {e}"))?,
                        },
                        Step::ReadAll => Did::ReadAll {
                            events: crate::cases::read_all_pages(
                                &store,
                                ReadAll::from_beginning().limit(5),
                            )
                            .await?
                            .0,
                        },
                    };
                    records.push(Record {
                        batch,
                        task,
                        seq,
                        did,
                    });
                }
                Ok::<_, String>(records)
            }
        })
        .await;
        for records in done {
            history.extend(records?);
        }
    }
    let mut streams = Vec::new();
    for index in 0..super::super::ops::STREAMS.len() {
        let s = super::super::answers::stream(index);
        let events = store
            .read_whole_stream(&s)
            .await
            .map_err(|e| format!("the final read_stream({s}) failed: {e}"))?;
        let head = store
            .stream_head(&s)
            .await
            .map_err(|e| format!("the final stream_head({s}) failed: {e}"))?;
        streams.push((s, events, head));
    }
    let all = crate::cases::read_all_pages(store, ReadAll::from_beginning().limit(5))
        .await
        .map_err(|why| format!("the final read_all: {why}"))?
        .0;
    Ok((history, Final { streams, all }))
}

/// Sends one call (after reading the heads its `AtHead` parts need), retrying retryable backend
/// errors (a deadlock victim applied nothing).
async fn send<S: EventStore>(
    store: &S,
    call: &super::plan::Call,
    index: usize,
) -> Result<Did, String> {
    let mut appends = Vec::new();
    for part in &call.parts {
        let expected = match part.expect {
            PartExpect::Fixed(expected) => expected,
            PartExpect::AtHead => ExpectedVersion::from_current(
                store
                    .stream_version(&part.stream)
                    .await
                    .map_err(|e| format!("stream_head({}) failed: {e}", part.stream))?,
            ),
        };
        appends.push(StreamAppend::new(
            part.stream.clone(),
            expected,
            part.events.clone(),
        ));
    }
    let expected = appends.iter().map(|a| a.expected).collect();
    let outcome = settled_call(&format!("call {index} of the concurrent model"), || async {
        if call.multi {
            store.append_multi(appends.clone()).await
        } else {
            store.append(appends[0].clone()).await.map(|r| vec![r])
        }
    })
    .await;
    let outcome = match outcome {
        Ok(results) => Ok(results),
        Err(Error::Conflict {
            stream,
            expected,
            actual,
        }) => Err(Refusal::Conflict {
            stream,
            expected,
            actual,
        }),
        Err(error @ (Error::Unavailable { .. } | Error::Backend { .. })) => {
            return Err(format!("call {index} failed outright: {error}"));
        }
        Err(other) => Err(Refusal::Other(format!("{other} ({other:?})"))),
    };
    Ok(Did::Sent {
        call: index,
        expected,
        outcome,
    })
}
