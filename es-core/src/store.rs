//! The contract every storage provider implements.

use std::future::Future;

use crate::{
    Error, ExpectedVersion, NewEvent, Payload, Position, RecordedEvent, Result, StreamId,
    Subscription, Version,
};

/// An event store: streams of events with optimistic concurrency, one global order, and
/// catch-up subscriptions.
///
/// Providers implement this trait; everything else (the repository, the contract suite, the
/// benchmarks) is written against it. The promises every implementation keeps are spelled out on
/// each method and checked by the `contract-tests` crate.
///
/// Optional capabilities (snapshots, subscriptions, stream deletion) answer
/// [`Error::Unsupported`] unless the provider overrides them and says so in
/// [`capabilities`](EventStore::capabilities).
///
/// ```
/// use es_core::{EventStore, ExpectedVersion, NewEvent, ReadStream, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("account-1")?;
/// let opened = NewEvent::from_json("Opened", r#"{"owner":"ada"}"#)?;
/// let written = store.append(&stream, ExpectedVersion::NoStream, vec![opened]).await?;
/// assert_eq!(written.last_version.get(), 1);
///
/// let events = store.read_stream(&stream, ReadStream::forward()).await?;
/// assert_eq!(events[0].event_type.as_str(), "Opened");
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub trait EventStore: Send + Sync {
    /// Which optional capabilities this provider offers.
    fn capabilities(&self) -> Capabilities;

    /// Appends `events` to `stream` if its current version meets `expected`, atomically.
    ///
    /// Promises: all events or none are stored; versions continue the stream without gaps;
    /// positions are greater than every position visible before. A failed expectation is
    /// [`Error::Conflict`] and stores nothing; [`ExpectedVersion::Any`] never conflicts. An exact
    /// re-send of an already-stored batch (same ids, same order, same stream) returns the original
    /// result and stores nothing new; any other reuse of a stored id is
    /// [`Error::DuplicateEventId`]. Bad batches are rejected as [`validate_batch`] describes.
    fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> impl Future<Output = Result<AppendResult>> + Send;

    /// Appends to several streams in one transaction: every stream's expectation must hold, or
    /// nothing at all is stored. Results come back in the order of `appends`.
    fn append_multi(
        &self,
        appends: Vec<StreamAppend>,
    ) -> impl Future<Output = Result<Vec<AppendResult>>> + Send;

    /// Reads events of one stream in version order (or reverse), as [`ReadStream`] says. A stream
    /// with no events reads as an empty list.
    fn read_stream(
        &self,
        stream: &StreamId,
        read: ReadStream,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;

    /// Reads up to `limit` events of every stream with a position of at least `from`, in
    /// position order.
    ///
    /// Promise: a reader that pages through `read_all` never skips an event, even one whose
    /// transaction took its position before a later-positioned one but committed after it.
    fn read_all(
        &self,
        from: Position,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;

    /// The version of the stream's last event; `None` when it has none.
    fn stream_version(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Option<Version>>> + Send;

    /// Every event from position `from` on: first the stored ones, then live ones as they are
    /// committed, in position order, never skipping or repeating one.
    fn subscribe(&self, from: Position) -> impl Future<Output = Result<Subscription>> + Send {
        let _ = from;
        async {
            Err(Error::Unsupported {
                capability: "subscriptions",
            })
        }
    }

    /// Keeps `snapshot` as the stream's snapshot unless one of a higher version is kept already.
    fn save_snapshot(&self, snapshot: Snapshot) -> impl Future<Output = Result<()>> + Send {
        let _ = snapshot;
        async {
            Err(Error::Unsupported {
                capability: "snapshots",
            })
        }
    }

    /// The stream's snapshot of the highest version, if any.
    fn load_snapshot(
        &self,
        stream: &StreamId,
    ) -> impl Future<Output = Result<Option<Snapshot>>> + Send {
        let _ = stream;
        async {
            Err(Error::Unsupported {
                capability: "snapshots",
            })
        }
    }

    /// Deletes the stream, its events and its snapshot if its version meets `expected`.
    ///
    /// Afterwards the stream reads as empty and has no version; a new append starts it again at
    /// version 1 (so [`ExpectedVersion::NoStream`] holds). Positions are never reused, and the
    /// deleted events no longer appear in [`read_all`](EventStore::read_all).
    fn delete_stream(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (stream, expected);
        async {
            Err(Error::Unsupported {
                capability: "stream deletion",
            })
        }
    }
}

/// The optional capabilities a provider offers.
///
/// ```
/// use es_core::Capabilities;
///
/// let caps = Capabilities::NONE.with_snapshots();
/// assert!(caps.snapshots && !caps.subscriptions);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// [`EventStore::save_snapshot`] and [`EventStore::load_snapshot`] work.
    pub snapshots: bool,
    /// [`EventStore::subscribe`] works.
    pub subscriptions: bool,
    /// [`EventStore::delete_stream`] works.
    pub delete_stream: bool,
}

impl Capabilities {
    /// No optional capability.
    pub const NONE: Self = Self {
        snapshots: false,
        subscriptions: false,
        delete_stream: false,
    };
    /// Every optional capability.
    pub const ALL: Self = Self {
        snapshots: true,
        subscriptions: true,
        delete_stream: true,
    };

    /// With snapshots.
    #[must_use]
    pub const fn with_snapshots(mut self) -> Self {
        self.snapshots = true;
        self
    }

    /// With subscriptions.
    #[must_use]
    pub const fn with_subscriptions(mut self) -> Self {
        self.subscriptions = true;
        self
    }

    /// With stream deletion.
    #[must_use]
    pub const fn with_delete_stream(mut self) -> Self {
        self.delete_stream = true;
        self
    }
}

/// What one append wrote: the versions and positions of its first and last events.
///
/// Positions strictly increase within a batch in version order, but need not be contiguous.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendResult {
    /// The stream appended to.
    pub stream_id: StreamId,
    /// The version of the batch's first event.
    pub first_version: Version,
    /// The version of the batch's last event: the stream's version after the append.
    pub last_version: Version,
    /// The position of the batch's first event.
    pub first_position: Position,
    /// The position of the batch's last event.
    pub last_position: Position,
}

/// One stream's part of a multi-stream append.
///
/// ```
/// use es_core::{ExpectedVersion, NewEvent, StreamAppend, StreamId};
///
/// let transfer = vec![
///     StreamAppend::new(StreamId::new("account-a")?, ExpectedVersion::Any,
///         [NewEvent::from_json("Debited", r#"{"amount":5}"#)?]),
///     StreamAppend::new(StreamId::new("account-b")?, ExpectedVersion::Any,
///         [NewEvent::from_json("Credited", r#"{"amount":5}"#)?]),
/// ];
/// assert_eq!(transfer.len(), 2);
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StreamAppend {
    /// The stream to append to.
    pub stream: StreamId,
    /// What the stream's version must be.
    pub expected: ExpectedVersion,
    /// The events to append.
    pub events: Vec<NewEvent>,
}

impl StreamAppend {
    /// One stream's part of a multi-stream append.
    pub fn new(
        stream: StreamId,
        expected: ExpectedVersion,
        events: impl IntoIterator<Item = NewEvent>,
    ) -> Self {
        Self {
            stream,
            expected,
            events: events.into_iter().collect(),
        }
    }
}

/// Which way to read a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Oldest first.
    Forward,
    /// Newest first.
    Backward,
}

/// How to read one stream: direction, where to start (inclusive) and how many events at most.
///
/// ```
/// use es_core::{Direction, ReadStream, Version};
///
/// let last_ten = ReadStream::backward().limit(10);
/// assert_eq!(last_ten.direction, Direction::Backward);
/// let tail = ReadStream::forward().from_version(Version::new(5).unwrap());
/// assert_eq!(tail.from, Version::new(5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadStream {
    /// Oldest first or newest first.
    pub direction: Direction,
    /// The first version to read (inclusive); `None`: the stream's start (forward) or end
    /// (backward).
    pub from: Option<Version>,
    /// The most events to return.
    pub limit: usize,
}

impl ReadStream {
    /// The whole stream, oldest first.
    pub const fn forward() -> Self {
        Self {
            direction: Direction::Forward,
            from: None,
            limit: usize::MAX,
        }
    }

    /// The whole stream, newest first.
    pub const fn backward() -> Self {
        Self {
            direction: Direction::Backward,
            from: None,
            limit: usize::MAX,
        }
    }

    /// Starts at `version` (inclusive).
    #[must_use]
    pub const fn from_version(mut self, version: Version) -> Self {
        self.from = Some(version);
        self
    }

    /// Returns at most `limit` events.
    #[must_use]
    pub const fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Whether an event of this `version` falls in the read's range (ignoring the limit).
    pub fn includes(&self, version: Version) -> bool {
        match (self.direction, self.from) {
            (_, None) => true,
            (Direction::Forward, Some(from)) => version >= from,
            (Direction::Backward, Some(from)) => version <= from,
        }
    }
}

/// An aggregate's state at a version, kept so that loading need not replay the whole stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The stream the state belongs to.
    pub stream_id: StreamId,
    /// The version of the last event folded into the state.
    pub version: Version,
    /// The serialized state.
    pub state: Payload,
}

/// Checks one stream's batch against the limits every provider enforces, before anything is
/// written: not empty ([`Error::EmptyAppend`]), at most [`crate::limits::MAX_EVENTS_PER_APPEND`]
/// events ([`Error::BatchTooLarge`]), payloads of at most [`crate::limits::MAX_PAYLOAD_BYTES`]
/// ([`Error::PayloadTooLarge`]), and no id twice ([`Error::RepeatedEventId`]).
///
/// ```
/// use es_core::{validate_batch, Error, StreamId};
///
/// let stream = StreamId::new("s")?;
/// assert!(matches!(validate_batch(&stream, &[]), Err(Error::EmptyAppend { .. })));
/// # Ok::<(), es_core::Error>(())
/// ```
pub fn validate_batch(stream: &StreamId, events: &[NewEvent]) -> Result<()> {
    use crate::limits::{MAX_EVENTS_PER_APPEND, MAX_PAYLOAD_BYTES};
    if events.is_empty() {
        return Err(Error::EmptyAppend {
            stream: stream.clone(),
        });
    }
    if events.len() > MAX_EVENTS_PER_APPEND {
        return Err(Error::BatchTooLarge {
            stream: stream.clone(),
            len: events.len(),
            max: MAX_EVENTS_PER_APPEND,
        });
    }
    for event in events {
        if event.payload.len() > MAX_PAYLOAD_BYTES {
            return Err(Error::PayloadTooLarge {
                id: event.id,
                size: event.payload.len(),
                max: MAX_PAYLOAD_BYTES,
            });
        }
    }
    if events.len() > 1 {
        check_unique_ids(events.iter())?;
    }
    Ok(())
}

/// Checks a multi-stream append as a whole: at least one stream, no stream twice, every batch
/// valid by [`validate_batch`], and no id twice across all of them.
pub fn validate_multi(appends: &[StreamAppend]) -> Result<()> {
    if appends.is_empty() {
        return Err(Error::InvalidMultiAppend {
            reason: "it names no stream; pass at least one StreamAppend".to_owned(),
        });
    }
    for (index, append) in appends.iter().enumerate() {
        if appends[..index].iter().any(|a| a.stream == append.stream) {
            return Err(Error::InvalidMultiAppend {
                reason: format!(
                    "stream {} appears twice; put all its events in one StreamAppend",
                    append.stream
                ),
            });
        }
        validate_batch(&append.stream, &append.events)?;
    }
    check_unique_ids(appends.iter().flat_map(|a| &a.events))
}

fn check_unique_ids<'a>(events: impl Iterator<Item = &'a NewEvent>) -> Result<()> {
    // Batches are small (at most MAX_EVENTS_PER_APPEND per stream): a sort beats hashing.
    let mut ids: Vec<_> = events.map(|e| e.id).collect();
    ids.sort_unstable();
    match ids.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(Error::RepeatedEventId { id: pair[0] }),
        None => Ok(()),
    }
}
