//! The catch-up subscription: pages of `read_all` from a start, then waits for commits.

use std::{collections::VecDeque, time::Duration};

use crate::{
    Checkpoint, EventFilter, EventReader, PageState, ReadAll, Result, Start, Subscribe,
    Subscription, SubscriptionItem,
};

use super::CommitListener;

/// A subscription made of `read_all` pages: stored events first, then, once caught up, a wait
/// for a commit signal (or a polling period) before reading again.
///
/// It is exactly as safe as the reader's `read_all`: if pages never pass an event that may
/// still commit below them, the subscription never skips one. It is for providers whose
/// checkpoints are positions in one global log: the checkpoint of a delivered event is
/// [`Checkpoint::after`] its position. A held-back page is delivered as
/// far as it goes and read again after a short pause; it never counts as caught up.
///
/// ```
/// use es_core::{provider::{CatchUp, CommitSignal}, Subscribe};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let signal = CommitSignal::new();
/// let subscription = CatchUp::new(MemoryStore::new(), Subscribe::from_head())
///     .page_size(500)
///     .wake_on(signal.listen())
///     .begin()
///     .await?;
/// # drop(subscription);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct CatchUp<R> {
    reader: R,
    start: Start,
    filter: EventFilter,
    page_size: usize,
    wake: Option<CommitListener>,
    poll_every: Option<Duration>,
}

/// How long a subscription with neither a wake-up signal nor a polling period waits between
/// reads once caught up.
const DEFAULT_POLL: Duration = Duration::from_millis(100);

/// The longest pause between reads of a held-back page.
const MAX_HELD_BACK_PAUSE: Duration = Duration::from_millis(50);

impl<R: EventReader + 'static> CatchUp<R> {
    /// A catch-up subscription over `reader` as `request` asks, in pages of 1,000 events,
    /// polling every 100 ms until [`wake_on`](Self::wake_on) or [`poll_every`](Self::poll_every)
    /// says otherwise.
    pub fn new(reader: R, request: Subscribe) -> Self {
        Self {
            reader,
            start: request.start,
            filter: request.filter,
            page_size: crate::read::DEFAULT_PAGE,
            wake: None,
            poll_every: None,
        }
    }

    /// Reads `size` events per page (at least 1).
    #[must_use]
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Reads again as soon as `listener` hears of a commit.
    #[must_use]
    pub fn wake_on(mut self, listener: CommitListener) -> Self {
        self.wake = Some(listener);
        self
    }

    /// Reads again after `period` even without a signal (a safe bound can move without a
    /// commit of this store, when an unrelated transaction ends).
    #[must_use]
    pub fn poll_every(mut self, period: Duration) -> Self {
        self.poll_every = Some(period);
        self
    }

    /// The subscription, its start fixed now: a start at the head becomes the head as of this
    /// call, so an event committed right after `subscribe` returns is delivered.
    pub async fn begin(mut self) -> Result<Subscription> {
        if self.start == Start::Head {
            let head = self.reader.read_all(ReadAll::from_head()).await?;
            self.start = Start::After(head.checkpoint);
        }
        Ok(self.into_subscription())
    }

    fn into_subscription(self) -> Subscription {
        let state = State {
            reader: self.reader,
            next: self.start,
            filter: self.filter,
            page_size: self.page_size,
            wake: self.wake,
            poll_every: self.poll_every,
            buffer: VecDeque::new(),
            announced: false,
            held_back_pause: Duration::ZERO,
            failed: false,
        };
        Subscription::from_stream(futures_util::stream::unfold(state, State::step))
    }
}

struct State<R> {
    reader: R,
    next: Start,
    filter: EventFilter,
    page_size: usize,
    wake: Option<CommitListener>,
    poll_every: Option<Duration>,
    buffer: VecDeque<SubscriptionItem>,
    /// "Caught up" was said and nothing was delivered since.
    announced: bool,
    /// The pause before re-reading a held-back page (grows while it stays held back).
    held_back_pause: Duration,
    failed: bool,
}

impl<R: EventReader> State<R> {
    async fn step(mut self) -> Option<(Result<SubscriptionItem>, Self)> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some((Ok(item), self));
            }
            if self.failed {
                return None;
            }
            if let Some(wake) = &mut self.wake {
                wake.mark_seen();
            }
            let request = ReadAll::new(self.next.clone())
                .limit(self.page_size)
                .filter(self.filter.clone());
            let page = match self.reader.read_all(request).await {
                Ok(page) => page,
                Err(error) => {
                    self.failed = true;
                    return Some((Err(error), self));
                }
            };
            let delivered = !page.events.is_empty();
            let moved = self.next != Start::After(page.checkpoint.clone())
                && !(self.next == Start::Beginning && page.checkpoint == Checkpoint::beginning());
            // Pages hold only events that can no longer be preceded by a late commit, so
            // everything up to a delivered event is settled: its position is a safe resume point.
            self.buffer.extend(
                page.events
                    .into_iter()
                    .map(|event| SubscriptionItem::Event {
                        checkpoint: Checkpoint::after(event.position),
                        event,
                    }),
            );
            self.next = Start::After(page.checkpoint.clone());
            if delivered {
                self.announced = false;
            }
            match page.state {
                PageState::CaughtUp => {
                    self.held_back_pause = Duration::ZERO;
                    if !self.announced {
                        self.announced = true;
                        self.buffer
                            .push_back(SubscriptionItem::CaughtUp(page.checkpoint));
                    } else if moved {
                        // Still caught up, but past events the filter skipped (or past a
                        // bound that moved): a resume point worth keeping.
                        self.buffer
                            .push_back(SubscriptionItem::Checkpoint(page.checkpoint));
                    } else {
                        self.wait().await;
                    }
                }
                state => {
                    if moved {
                        self.buffer
                            .push_back(SubscriptionItem::Checkpoint(page.checkpoint.clone()));
                    }
                    if state == PageState::HeldBack && !delivered {
                        self.pause_held_back().await;
                    } else {
                        self.held_back_pause = Duration::ZERO;
                    }
                }
            }
        }
    }

    async fn wait(&mut self) {
        let period = self.poll_every;
        match &mut self.wake {
            Some(wake) => match period {
                Some(period) => {
                    // Either is fine: both just lead to another read.
                    let _ = tokio::time::timeout(period, wake.changed()).await;
                }
                None => {
                    if !wake.changed().await {
                        // The signal is gone; nothing will wake us. Poll rather than spin.
                        tokio::time::sleep(DEFAULT_POLL).await;
                    }
                }
            },
            None => tokio::time::sleep(period.unwrap_or(DEFAULT_POLL)).await,
        }
    }

    async fn pause_held_back(&mut self) {
        self.held_back_pause = (self.held_back_pause * 2)
            .max(Duration::from_millis(1))
            .min(MAX_HELD_BACK_PAUSE);
        tokio::time::sleep(self.held_back_pause).await;
    }
}
