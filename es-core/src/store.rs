//! The contract every storage provider implements, split by capability so the compiler checks
//! what a handle can do.

use std::future::Future;

use crate::{
    AppendResult, Checkpoint, Claims, EventRef, ExpectedVersion, Page, ReadAll, ReadStream,
    RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Subscribe, Subscription,
};

/// The read side of an event store: streams, the global order in pages, subscriptions.
///
/// A read-only handle (a hot standby, a replica) implements only this trait. The promises each
/// method keeps are checked by the `contract-tests` crate; [`claims`](EventReader::claims)
/// says which limits and guarantees the store behind the handle offers.
///
/// ```
/// use es_core::{EventReader, EventWriterExt, ExpectedVersion, NewEvent, ReadAll, ReadStream, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("account-1")?;
/// store.append_events(&stream, ExpectedVersion::NoStream,
///     [NewEvent::from_json("Opened", r#"{"owner":"ada"}"#)?]).await?;
///
/// let events = store.read_stream(&stream, ReadStream::forward()).await?;
/// assert_eq!(events[0].event_type.as_str(), "Opened");
/// let page = store.read_all(ReadAll::from_beginning()).await?;
/// assert!(page.is_caught_up() && page.events.len() == 1);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub trait EventReader: Send + Sync {
    /// What the store behind this handle promises.
    fn claims(&self) -> Claims;

    /// Reads events of one stream in version order (or reverse), as [`ReadStream`] says. A
    /// stream with no events, or one that was soft-deleted, reads as an empty list; a
    /// tombstoned stream is [`Error::StreamDeleted`](crate::Error::StreamDeleted).
    fn read_stream(
        &self,
        stream: &StreamId,
        read: ReadStream,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;

    /// Where the stream is: its last event; `None` when it has none (or was soft-deleted), and
    /// [`Error::StreamDeleted`](crate::Error::StreamDeleted) when it was tombstoned.
    fn stream_head(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Option<EventRef>>> + Send;

    /// One page of the global order: up to `request.limit` events past `request.start` that
    /// pass the filter, in position order, with the checkpoint to resume from.
    ///
    /// Promise: a reader that pages on from each page's checkpoint never skips an event, even
    /// one whose transaction took its position before a later-positioned one but committed after
    /// it. A page that stops early for that reason says [`PageState::HeldBack`](crate::PageState::HeldBack),
    /// never [`CaughtUp`](crate::PageState::CaughtUp).
    fn read_all(&self, request: ReadAll) -> impl Future<Output = Result<Page>> + Send;

    /// Every event past `request.start` that passes the filter: first the stored ones, then
    /// live ones as they are committed, in position order, never skipping or repeating one,
    /// with checkpoints and "caught up" marks between them (see [`Subscription`]).
    fn subscribe(&self, request: Subscribe) -> impl Future<Output = Result<Subscription>> + Send;
}

/// The write side of an event store: appends with optimistic concurrency.
pub trait EventWriter: Send + Sync {
    /// Appends `append.events` to `append.stream` if its version meets `append.expected`,
    /// atomically.
    ///
    /// Promises: all events or none are stored; versions continue the stream without gaps (also
    /// after a soft delete); positions are greater than every position visible before. A failed
    /// expectation is [`Error::Conflict`](crate::Error::Conflict) and stores nothing;
    /// [`ExpectedVersion::Any`] never conflicts. An exact re-send of an already-stored batch
    /// (same ids, same order, same stream) returns the original result and stores nothing new,
    /// for as long as [`Claims::idempotency`] says; any other reuse of a stored id is
    /// [`Error::DuplicateEventId`](crate::Error::DuplicateEventId). Bad batches are rejected
    /// as [`provider::validate_batch`](crate::provider::validate_batch) describes.
    fn append(&self, append: StreamAppend) -> impl Future<Output = Result<AppendResult>> + Send;

    /// Appends to several streams in one transaction: every stream's expectation must hold, or
    /// nothing at all is stored. Results come back in the order of `appends`.
    fn append_multi(
        &self,
        appends: Vec<StreamAppend>,
    ) -> impl Future<Output = Result<Vec<AppendResult>>> + Send;
}

/// A full event store: reads and writes. Implemented for everything that is both.
pub trait EventStore: EventReader + EventWriter {}

impl<T: EventReader + EventWriter + ?Sized> EventStore for T {}

/// Snapshots of aggregate state (optional capability).
pub trait SnapshotStore: Send + Sync {
    /// Keeps `snapshot` as the stream's snapshot unless one of a higher version is kept
    /// already; one of the same version is replaced.
    fn save_snapshot(&self, snapshot: Snapshot) -> impl Future<Output = Result<()>> + Send;

    /// The stream's kept snapshot, if any. The caller checks that the event it was taken at is
    /// still in the stream.
    fn load_snapshot(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Option<Snapshot>>> + Send;
}

/// Deleting streams, with KurrentDB's semantics (optional capability).
pub trait StreamLifecycle: Send + Sync {
    /// Soft delete, if the stream's version meets `expected`: the stream reads as empty and has
    /// no head; its events leave the global order; its snapshot goes. It can be written again
    /// (`NoStream` and `Any` hold), and its versions continue where they were, so
    /// (stream, version) never names two events. The deleted events' ids stay reserved.
    fn delete_stream(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Hard delete, if the stream's version meets `expected`: as [`delete_stream`](Self::delete_stream),
    /// and a tombstone stays, so every later read or append of the stream fails with
    /// [`Error::StreamDeleted`](crate::Error::StreamDeleted).
    fn tombstone_stream(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Where readers of the global order keep their place (optional capability, for projections
/// and process managers).
pub trait CheckpointStore: Send + Sync {
    /// The checkpoint saved under `name`, if any.
    fn load_checkpoint(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Checkpoint>>> + Send;

    /// Saves `checkpoint` under `name` if what is saved now is `expected` (`None`: nothing yet),
    /// atomically; otherwise [`Error::CheckpointConflict`](crate::Error::CheckpointConflict)
    /// and nothing changes. Names follow the rules of stream ids.
    fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Forwards every capability through a pointer type, so `&S`, `Arc<S>` and `Box<S>` are stores
/// wherever `S` is.
macro_rules! forward_through {
    ($($pointer:ty),+) => {$(
        impl<S: EventReader + ?Sized> EventReader for $pointer {
            fn claims(&self) -> Claims {
                (**self).claims()
            }
            fn read_stream(&self, stream: &StreamId, read: ReadStream)
                -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send {
                (**self).read_stream(stream, read)
            }
            fn stream_head(&self, stream: &StreamId)
                -> impl Future<Output = Result<Option<EventRef>>> + Send {
                (**self).stream_head(stream)
            }
            fn read_all(&self, request: ReadAll) -> impl Future<Output = Result<Page>> + Send {
                (**self).read_all(request)
            }
            fn subscribe(&self, request: Subscribe)
                -> impl Future<Output = Result<Subscription>> + Send {
                (**self).subscribe(request)
            }
        }

        impl<S: EventWriter + ?Sized> EventWriter for $pointer {
            fn append(&self, append: StreamAppend)
                -> impl Future<Output = Result<AppendResult>> + Send {
                (**self).append(append)
            }
            fn append_multi(&self, appends: Vec<StreamAppend>)
                -> impl Future<Output = Result<Vec<AppendResult>>> + Send {
                (**self).append_multi(appends)
            }
        }

        impl<S: SnapshotStore + ?Sized> SnapshotStore for $pointer {
            fn save_snapshot(&self, snapshot: Snapshot) -> impl Future<Output = Result<()>> + Send {
                (**self).save_snapshot(snapshot)
            }
            fn load_snapshot(&self, stream: &StreamId)
                -> impl Future<Output = Result<Option<Snapshot>>> + Send {
                (**self).load_snapshot(stream)
            }
        }

        impl<S: StreamLifecycle + ?Sized> StreamLifecycle for $pointer {
            fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion)
                -> impl Future<Output = Result<()>> + Send {
                (**self).delete_stream(stream, expected)
            }
            fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion)
                -> impl Future<Output = Result<()>> + Send {
                (**self).tombstone_stream(stream, expected)
            }
        }

        impl<S: CheckpointStore + ?Sized> CheckpointStore for $pointer {
            fn load_checkpoint(&self, name: &str)
                -> impl Future<Output = Result<Option<Checkpoint>>> + Send {
                (**self).load_checkpoint(name)
            }
            fn save_checkpoint(&self, name: &str, expected: Option<&Checkpoint>, checkpoint: Checkpoint)
                -> impl Future<Output = Result<()>> + Send {
                (**self).save_checkpoint(name, expected, checkpoint)
            }
        }
    )+};
}

forward_through!(&S, std::sync::Arc<S>, Box<S>);
