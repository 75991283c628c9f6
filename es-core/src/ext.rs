//! Conveniences derived from the [`EventStore`] trait, so the trait itself stays small.

use std::future::Future;

use crate::{
    AppendResult, EventStore, ExpectedVersion, NewEvent, Position, ReadStream, RecordedEvent,
    Result, StreamId,
};

/// Conveniences every [`EventStore`] has.
///
/// ```
/// use es_core::{EventStoreExt, ExpectedVersion, NewEvent, Position, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("s")?;
/// store.append_events(&stream, ExpectedVersion::NoStream,
///     [NewEvent::from_json("A", "1")?, NewEvent::from_json("B", "2")?]).await?;
/// assert_eq!(store.read_whole_stream(&stream).await?.len(), 2);
/// assert_eq!(store.read_all_to_end(Position::START, 1).await?.len(), 2);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub trait EventStoreExt: EventStore {
    /// [`append`](EventStore::append) taking any iterator of events.
    fn append_events(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: impl IntoIterator<Item = NewEvent>,
    ) -> impl Future<Output = Result<AppendResult>> + Send {
        self.append(stream, expected, events.into_iter().collect())
    }

    /// Every event of one stream, oldest first.
    fn read_whole_stream(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send {
        self.read_stream(stream, ReadStream::forward())
    }

    /// Every event from `from` on, read in pages of `page_size`.
    fn read_all_to_end(
        &self,
        from: Position,
        page_size: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send {
        let page_size = page_size.max(1);
        async move {
            let mut events = Vec::new();
            let mut next = from;
            loop {
                let page = self.read_all(next, page_size).await?;
                let Some(last) = page.last() else {
                    return Ok(events);
                };
                next = last.position.next();
                let done = page.len() < page_size;
                events.extend(page);
                if done {
                    return Ok(events);
                }
            }
        }
    }
}

impl<S: EventStore + ?Sized> EventStoreExt for S {}
