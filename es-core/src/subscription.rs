//! Subscriptions to the global order: stored events first, then live ones, with checkpoints.

use std::{
    fmt,
    pin::Pin,
    task::{Context, Poll},
};

use futures_core::Stream;

use crate::{Checkpoint, RecordedEvent, Result};

/// What a subscription yields.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SubscriptionItem {
    /// The next event, in position order, and the checkpoint that covers it and everything
    /// before it: where to resume once it is handled.
    Event {
        /// The event.
        event: RecordedEvent,
        /// Resume here after handling it.
        checkpoint: Checkpoint,
    },
    /// Progress without an event (the filter skipped some): a safe place to resume from.
    Checkpoint(Checkpoint),
    /// Every event committed so far has been delivered; resume from this checkpoint. Comes
    /// after catching up, and again each time the subscription has delivered live events and
    /// finds nothing more.
    CaughtUp(Checkpoint),
}

/// A pull-based stream of every event past a start: first the stored ones, then live ones as
/// they are committed, in position order, never skipping or repeating one, with
/// [`SubscriptionItem::CaughtUp`] whenever it has delivered everything committed so far.
///
/// It ends after yielding its first error; to go on, subscribe again from the last checkpoint
/// you kept (an event's own position is not a checkpoint). Dropping it stops it.
///
/// ```
/// use es_core::{EventReader, EventWriterExt, ExpectedVersion, NewEvent, StreamId, Subscribe, SubscriptionItem};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("account-1")?;
/// store.append_events(&stream, ExpectedVersion::Any, [NewEvent::from_json("Opened", "{}")?]).await?;
///
/// let mut subscription = store.subscribe(Subscribe::from_beginning()).await?;
/// let stored = subscription.next_event().await.unwrap()?;                 // catch-up
/// assert!(matches!(subscription.next().await, Some(Ok(SubscriptionItem::CaughtUp(_)))));
/// store.append_events(&stream, ExpectedVersion::Any, [NewEvent::from_json("Deposited", "{}")?]).await?;
/// let live = subscription.next_event().await.unwrap()?;                   // live
/// assert!(stored.position < live.position);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub struct Subscription {
    inner: Pin<Box<dyn Stream<Item = Result<SubscriptionItem>> + Send>>,
}

impl Subscription {
    /// Wraps any stream of items, for providers with a delivery mechanism of their own (most use
    /// [`provider::CatchUp`](crate::provider::CatchUp)).
    pub fn from_stream(
        stream: impl Stream<Item = Result<SubscriptionItem>> + Send + 'static,
    ) -> Self {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// The next item; `None` once the subscription ended (after an error).
    pub async fn next(&mut self) -> Option<Result<SubscriptionItem>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// The next event, passing over checkpoints and "caught up" marks.
    pub async fn next_event(&mut self) -> Option<Result<RecordedEvent>> {
        loop {
            match self.next().await? {
                Ok(SubscriptionItem::Event { event, .. }) => return Some(Ok(event)),
                Ok(_) => {}
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

impl Stream for Subscription {
    type Item = Result<SubscriptionItem>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}
