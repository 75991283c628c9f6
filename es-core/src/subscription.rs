//! Catch-up subscriptions: stored events first, then live ones.

use std::{
    collections::VecDeque,
    fmt,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use futures_core::Stream;
use tokio::sync::watch;

use crate::{EventStore, Position, RecordedEvent, Result};

/// A stream of every event from a position on: first the stored ones, then live ones as they
/// are committed, in position order, never skipping or repeating one.
///
/// It ends after yielding its first error; to go on, subscribe again from the position after
/// the last event handled. Dropping it stops it.
///
/// ```
/// use es_core::{EventStore, ExpectedVersion, NewEvent, Position, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("s")?;
/// store.append(&stream, ExpectedVersion::Any, vec![NewEvent::from_json("A", "1")?]).await?;
///
/// let mut subscription = store.subscribe(Position::START).await?;
/// let stored = subscription.next().await.unwrap()?;          // catch-up
/// store.append(&stream, ExpectedVersion::Any, vec![NewEvent::from_json("B", "2")?]).await?;
/// let live = subscription.next().await.unwrap()?;            // live
/// assert!(stored.position < live.position);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub struct Subscription {
    inner: Pin<Box<dyn Stream<Item = Result<RecordedEvent>> + Send>>,
}

impl Subscription {
    /// Wraps any stream of events, for providers with a delivery mechanism of their own.
    pub fn from_stream(stream: impl Stream<Item = Result<RecordedEvent>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// A subscription that pages through `store.read_all` from `from` and, once caught up,
    /// waits for `wake` to change (or `poll_every` to pass, when given) before reading again.
    ///
    /// It is as safe as the provider's `read_all`: if `read_all` never returns an event past
    /// one that is not yet visible, the subscription never skips one either. The provider bumps
    /// `wake` after each commit; a missed or spurious bump costs at most one extra read.
    pub fn catch_up<S>(
        store: S,
        from: Position,
        page_size: usize,
        wake: watch::Receiver<u64>,
        poll_every: Option<Duration>,
    ) -> Self
    where
        S: EventStore + 'static,
    {
        let state = CatchUp {
            store,
            next: from,
            page_size: page_size.max(1),
            buffer: VecDeque::new(),
            wake,
            poll_every,
            failed: false,
        };
        Self::from_stream(futures_util::stream::unfold(state, CatchUp::step))
    }

    /// The next event; `None` once the subscription ended (after an error).
    pub async fn next(&mut self) -> Option<Result<RecordedEvent>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }
}

impl Stream for Subscription {
    type Item = Result<RecordedEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

struct CatchUp<S> {
    store: S,
    next: Position,
    page_size: usize,
    buffer: VecDeque<RecordedEvent>,
    wake: watch::Receiver<u64>,
    poll_every: Option<Duration>,
    failed: bool,
}

impl<S: EventStore> CatchUp<S> {
    async fn step(mut self) -> Option<(Result<RecordedEvent>, Self)> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                return Some((Ok(event), self));
            }
            if self.failed {
                return None;
            }
            // Mark the current wake-up as seen *before* reading, so a commit that lands after
            // the read still wakes us.
            self.wake.borrow_and_update();
            match self.store.read_all(self.next, self.page_size).await {
                Ok(page) if !page.is_empty() => {
                    if let Some(last) = page.last() {
                        self.next = last.position.next();
                    }
                    self.buffer.extend(page);
                }
                Ok(_) => self.wait().await,
                Err(error) => {
                    self.failed = true;
                    return Some((Err(error), self));
                }
            }
        }
    }

    async fn wait(&mut self) {
        let changed = self.wake.changed();
        match self.poll_every {
            Some(period) => {
                // Either is fine: both just lead to another read.
                let _ = tokio::time::timeout(period, changed).await;
            }
            None => {
                if changed.await.is_err() {
                    // The store's sender is gone; nothing will ever wake us. Poll slowly rather
                    // than spin.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
