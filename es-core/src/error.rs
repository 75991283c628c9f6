//! The one error type of the store contract.

use crate::{EventId, ExpectedVersion, StreamId, Version};

/// What can go wrong when talking to an event store.
///
/// Every provider returns these variants for the same situations, so callers can match on them
/// without knowing which backend they use. Messages say what happened and what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A stream id was empty, too long or held a control character.
    #[error("invalid stream id {id:?}: {reason}; use 1 to {max} bytes of printable text", max = crate::limits::MAX_STREAM_ID_BYTES)]
    InvalidStreamId {
        /// The rejected id, as given (possibly shortened for display).
        id: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// An event type name was empty, too long or held a control character or surrounding space.
    #[error("invalid event type {name:?}: {reason}; use 1 to {max} bytes of printable text without surrounding spaces", max = crate::limits::MAX_EVENT_TYPE_BYTES)]
    InvalidEventType {
        /// The rejected name, as given (possibly shortened for display).
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A payload or metadata was not valid JSON, or a stored payload did not match the type it
    /// was read as.
    #[error("malformed payload: {0}; payloads must be valid JSON matching the event's type")]
    MalformedPayload(#[source] serde_json::Error),

    /// A single event's payload is larger than the store accepts.
    #[error(
        "event {id} has a payload of {size} bytes, over the limit of {max} bytes; store large blobs elsewhere and keep a reference in the event"
    )]
    PayloadTooLarge {
        /// The offending event.
        id: EventId,
        /// Its payload size in bytes.
        size: usize,
        /// The limit ([`crate::limits::MAX_PAYLOAD_BYTES`]).
        max: usize,
    },

    /// An append carried no events.
    #[error("append to stream {stream} carried no events; pass at least one event")]
    EmptyAppend {
        /// The stream the empty append was meant for.
        stream: StreamId,
    },

    /// An append carried more events than one append may hold.
    #[error(
        "append to stream {stream} carried {len} events, over the limit of {max}; split it into several appends"
    )]
    BatchTooLarge {
        /// The stream the append was meant for.
        stream: StreamId,
        /// How many events it carried.
        len: usize,
        /// The limit ([`crate::limits::MAX_EVENTS_PER_APPEND`]).
        max: usize,
    },

    /// A multi-stream append named the same stream twice, or named no stream.
    #[error("invalid multi-stream append: {reason}")]
    InvalidMultiAppend {
        /// What was wrong with it.
        reason: String,
    },

    /// The stream was not at the version the append expected. Nothing was stored.
    #[error("version conflict on stream {stream}: expected {expected}, found {}; reload the stream and decide again", display_version(*.actual))]
    Conflict {
        /// The stream whose expectation failed.
        stream: StreamId,
        /// What the append expected.
        expected: ExpectedVersion,
        /// The stream's version when the append was rejected (`None`: no stream).
        actual: Option<Version>,
    },

    /// An event id is already stored and this append is not an exact re-send of the batch that
    /// stored it. Nothing was stored.
    #[error(
        "event id {id} is already stored (in stream {stream}) by a different append; give every new event a fresh id"
    )]
    DuplicateEventId {
        /// The reused id.
        id: EventId,
        /// The stream that holds the stored event with this id.
        stream: StreamId,
    },

    /// The same event id appears twice in one append. Nothing was stored.
    #[error("event id {id} appears more than once in one append; give every event its own id")]
    RepeatedEventId {
        /// The repeated id.
        id: EventId,
    },

    /// An upcaster failed to bring an old event shape up to date.
    #[error(
        "cannot upcast event {event_type} (schema version {schema_version}): {reason}; fix or register the upcaster for this shape"
    )]
    Upcast {
        /// The stored event's type.
        event_type: String,
        /// The stored event's schema version.
        schema_version: u32,
        /// What went wrong.
        reason: String,
    },

    /// The provider does not offer this optional capability.
    #[error(
        "this store does not support {capability}; check `EventStore::capabilities()` before calling it"
    )]
    Unsupported {
        /// The capability that was asked for, e.g. `"snapshots"`.
        capability: &'static str,
    },

    /// The backend could not be reached or went away. The operation may or may not have been
    /// applied; re-send the same events (same ids) to find out safely.
    #[error(
        "store unavailable: {message}; check that the backend is running and reachable, then retry"
    )]
    Unavailable {
        /// What the backend reported.
        message: String,
        /// The backend's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// Any other backend failure.
    #[error("store backend failed: {message}")]
    Backend {
        /// What the backend reported.
        message: String,
        /// The backend's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

fn display_version(version: Option<Version>) -> String {
    match version {
        Some(v) => format!("version {v}"),
        None => "no stream".to_owned(),
    }
}

impl Error {
    /// Wraps a backend error that does not fit another variant.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend {
            message: error.to_string(),
            source: Some(Box::new(error)),
        }
    }

    /// Wraps a connection-level error: the backend is down or unreachable.
    pub fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Unavailable {
            message: error.to_string(),
            source: Some(Box::new(error)),
        }
    }

    /// Whether this is a version conflict, the one error a command executor retries.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
