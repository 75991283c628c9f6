//! Conveniences derived from the reader and writer traits, so the traits themselves stay small.

use std::{
    future::Future,
    time::{Duration, Instant},
};

use crate::{
    AppendResult, Checkpoint, Error, EventReader, EventWriter, ExpectedVersion, NewEvent,
    PageState, ReadAll, ReadStream, RecordedEvent, Result, Start, StreamAppend, StreamId, Version,
};

/// How long [`EventReaderExt::read_all_to_end`] waits out pages that stay held back.
pub const HELD_BACK_PATIENCE: Duration = Duration::from_secs(10);

/// Conveniences every [`EventWriter`] has.
///
/// ```
/// use es_core::{EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let cart = StreamId::new("cart-1")?;
/// store.append_events(&cart, ExpectedVersion::NoStream,
///     [NewEvent::from_json("ItemAdded", r#"{"sku":"tea"}"#)?]).await?;
/// assert_eq!(store.stream_version(&cart).await?.map(|v| v.get()), Some(1));
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub trait EventWriterExt: EventWriter {
    /// [`append`](EventWriter::append) of `events` to `stream` if its version meets
    /// `expected`: the three-argument form.
    fn append_events(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: impl IntoIterator<Item = NewEvent>,
    ) -> impl Future<Output = Result<AppendResult>> + Send {
        self.append(StreamAppend::new(stream.clone(), expected, events))
    }
}

impl<S: EventWriter + ?Sized> EventWriterExt for S {}

/// Conveniences every [`EventReader`] has.
///
/// ```
/// use es_core::{EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, ReadAll, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("s")?;
/// store.append_events(&stream, ExpectedVersion::NoStream,
///     [NewEvent::from_json("A", "1")?, NewEvent::from_json("B", "2")?]).await?;
/// assert_eq!(store.read_whole_stream(&stream).await?.len(), 2);
/// assert_eq!(store.read_all_to_end(ReadAll::from_beginning().limit(1)).await?.len(), 2);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub trait EventReaderExt: EventReader {
    /// Every event of one stream, oldest first.
    fn read_whole_stream(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send {
        self.read_stream(stream, ReadStream::forward())
    }

    /// The version of the stream's last event; `None` when it has none.
    fn stream_version(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Option<Version>>> + Send {
        async move { Ok(self.stream_head(stream).await?.map(|head| head.version)) }
    }

    /// Where the global order's head is now: a checkpoint from which a reader gets only
    /// events committed later.
    fn head_checkpoint(&self) -> impl Future<Output = Result<Checkpoint>> + Send {
        async move { Ok(self.read_all(ReadAll::from_head()).await?.checkpoint) }
    }

    /// Every event from `request.start` on, read in pages of `request.limit` until a page is
    /// caught up. Held-back pages are read again until they move, for at most
    /// [`HELD_BACK_PATIENCE`]; then it fails with [`Error::Unavailable`] rather than return
    /// a partial answer as if it were the end.
    fn read_all_to_end(
        &self,
        request: ReadAll,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send {
        async move {
            let mut events = Vec::new();
            let limit = request.limit.max(1);
            let mut request = request.limit(limit);
            let mut held_since: Option<Instant> = None;
            loop {
                let page = self.read_all(request.clone()).await?;
                let moved = !page.events.is_empty()
                    || request.start != Start::After(page.checkpoint.clone());
                events.extend(page.events);
                match page.state {
                    PageState::CaughtUp => return Ok(events),
                    PageState::More if !moved => {
                        return Err(Error::Backend {
                            message: format!(
                                "read_all returned a full page that did not move past {}; the store is broken",
                                page.checkpoint
                            ),
                            retryable: false,
                            source: None,
                        });
                    }
                    PageState::More => held_since = None,
                    _ => {
                        let since = *held_since.get_or_insert_with(Instant::now);
                        if since.elapsed() >= HELD_BACK_PATIENCE {
                            return Err(Error::Unavailable {
                                message: format!(
                                    "read_all stayed held back at {} for {HELD_BACK_PATIENCE:?}: a transaction that may still write events is open",
                                    page.checkpoint
                                ),
                                source: None,
                            });
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
                request.start = Start::After(page.checkpoint);
            }
        }
    }
}

impl<S: EventReader + ?Sized> EventReaderExt for S {}
