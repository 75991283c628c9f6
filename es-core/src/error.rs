//! The one error type of the store contract, and the kinds callers branch on.

use std::fmt;

use crate::{EventId, EventType, ExpectedVersion, StreamId, Version};

/// What can go wrong when talking to an event store.
///
/// Every provider returns these variants for the same situations, so callers can match on them
/// without knowing which backend they use. Messages say what happened and what to do next.
/// To decide what to do without naming variants, use [`Error::kind`] and
/// [`Error::is_retryable`].
///
/// ```
/// use es_core::{Error, ErrorKind, StreamId};
///
/// let error = StreamId::new("").unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::Input);
/// assert!(!error.is_retryable());
/// ```
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

    /// A category name was not one token of ASCII letters, digits and `_`.
    #[error("invalid category {name:?}: {reason}; use 1 to {max} ASCII letters, digits or `_`", max = crate::limits::MAX_CATEGORY_BYTES)]
    InvalidCategory {
        /// The rejected name, as given (possibly shortened for display).
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A checkpoint's text is not one this toolkit wrote, or it belongs to another kind of store.
    #[error(
        "invalid checkpoint {text:?}: {reason}; pass a checkpoint exactly as a page or subscription returned it"
    )]
    InvalidCheckpoint {
        /// The rejected text (possibly shortened for display).
        text: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A payload, metadata or snapshot state was not valid JSON, could not be serialized, or is
    /// nested deeper than stores can read back. Nothing was stored.
    #[error("invalid {what}: {reason}; {what} must be valid JSON of at most {depth} levels", depth = crate::limits::MAX_JSON_DEPTH)]
    InvalidPayload {
        /// What was invalid: `"payload"`, `"metadata"` or `"snapshot state"`.
        what: &'static str,
        /// Why.
        reason: String,
    },

    /// A single event's payload is larger than the store accepts.
    #[error(
        "event {id} has a payload of {size} bytes, over this store's limit of {max} bytes; store large blobs elsewhere and keep a reference in the event"
    )]
    PayloadTooLarge {
        /// The offending event.
        id: EventId,
        /// Its payload size in bytes.
        size: usize,
        /// The store's limit ([`Claims::max_payload_bytes`](crate::Claims::max_payload_bytes)).
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
        "append to stream {stream} carried {len} events, over this store's limit of {max}; split it into several appends"
    )]
    BatchTooLarge {
        /// The stream the append was meant for.
        stream: StreamId,
        /// How many events it carried.
        len: usize,
        /// The store's limit ([`Claims::max_events_per_append`](crate::Claims::max_events_per_append)).
        max: usize,
    },

    /// A multi-stream append named the same stream twice, named no stream, or carried more
    /// events in all than one call may hold.
    #[error("invalid multi-stream append: {reason}")]
    InvalidMultiAppend {
        /// What was wrong with it.
        reason: String,
    },

    /// An append's head hint does not agree with its expected version.
    #[error(
        "invalid append to stream {stream}: {reason}; give a head hint only with ExpectedVersion::Exact of the same version"
    )]
    InvalidAppend {
        /// The stream the append was meant for.
        stream: StreamId,
        /// What was wrong with it.
        reason: String,
    },

    /// The same event id appears twice in one append. Nothing was stored.
    #[error("event id {id} appears more than once in one append; give every event its own id")]
    RepeatedEventId {
        /// The repeated id.
        id: EventId,
    },

    /// The stream was not at the version the append expected. Nothing was stored.
    #[error("version conflict on stream {stream}: expected {expected}, found {}; reload the stream and decide again", display_version(*.actual))]
    Conflict {
        /// The stream whose expectation failed.
        stream: StreamId,
        /// What the append expected.
        expected: ExpectedVersion,
        /// The stream's version when the append was rejected (`None`: no stream, or a stream
        /// deleted since).
        actual: Option<Version>,
    },

    /// A checkpoint was not at the value a compare-and-set expected. Nothing was saved.
    #[error("checkpoint {name:?} was moved by someone else (expected {}, found {}); another runner owns it, reload it before going on", display_checkpoint(expected.as_deref()), display_checkpoint(actual.as_deref()))]
    CheckpointConflict {
        /// The checkpoint's name.
        name: String,
        /// What the caller expected (`None`: no checkpoint yet).
        expected: Option<String>,
        /// What is saved (`None`: no checkpoint).
        actual: Option<String>,
    },

    /// An event id is already stored (or reserved by a deleted event) and this append is not
    /// an exact re-send of the batch that stored it. Nothing was stored.
    #[error(
        "event id {id} is already stored (in stream {stream}) by a different append; give every new event a fresh id"
    )]
    DuplicateEventId {
        /// The reused id.
        id: EventId,
        /// The stream that holds the stored event with this id.
        stream: StreamId,
    },

    /// The stream was deleted for good (tombstoned): it can no longer be read or written.
    #[error(
        "stream {stream} was deleted for good (tombstoned); it can no longer be read or written, use another stream id"
    )]
    StreamDeleted {
        /// The tombstoned stream.
        stream: StreamId,
    },

    /// A stored event, snapshot or checkpoint could not be turned into the type it was read as.
    #[error("cannot decode {}: {reason}; register an upcaster for this shape or fix the type", DecodeSite { stream: stream.as_ref(), version: *version, event_type: event_type.as_ref(), schema_version: *schema_version })]
    Decode {
        /// The stream it was read from, when known.
        stream: Option<StreamId>,
        /// Its version, when known.
        version: Option<Version>,
        /// The stored event type, when it is an event.
        event_type: Option<EventType>,
        /// The stored schema version, when it is an event.
        schema_version: Option<u32>,
        /// What did not fit.
        reason: String,
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

    /// The handle does not offer this operation (for example a run-time chosen
    /// [`AnyStore`](crate::AnyStore) built without snapshots).
    #[error(
        "this store does not support {capability}; build the handle with that capability or use a provider that has it"
    )]
    Unsupported {
        /// The capability that was asked for, e.g. `"snapshots"`.
        capability: &'static str,
    },

    /// The backend could not be reached or went away. The operation may or may not have been
    /// applied; re-send the same events (same ids) to find out safely.
    #[error(
        "store unavailable: {message}; check that the backend is running and reachable, then retry with the same event ids"
    )]
    Unavailable {
        /// What the backend reported.
        message: String,
        /// The backend's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// Any other backend failure. When `retryable`, nothing was applied and the same call may be
    /// made again; otherwise retrying will not help.
    #[error("store backend failed: {message}{}", if *retryable { "; nothing was applied, retry the same call" } else { "" })]
    Backend {
        /// What the backend reported.
        message: String,
        /// Whether the same call may simply be made again.
        retryable: bool,
        /// The backend's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// What kind of failure an [`Error`] is, for callers that decide by kind rather than variant.
///
/// ```
/// use es_core::{Error, ErrorKind, ExpectedVersion, StreamId};
///
/// let conflict = Error::Conflict {
///     stream: StreamId::new("account-1")?,
///     expected: ExpectedVersion::NoStream,
///     actual: None,
/// };
/// assert_eq!(conflict.kind(), ErrorKind::Conflict);
/// assert!(conflict.is_retryable(), "a conflict is retried by deciding again");
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input was invalid; nothing was stored. Fix the input.
    Input,
    /// An optimistic-concurrency expectation failed; nothing was stored. Reload and decide again.
    Conflict,
    /// An event id is already taken by other content; nothing was stored.
    Duplicate,
    /// The stream was tombstoned.
    StreamDeleted,
    /// The handle lacks the capability.
    Unsupported,
    /// The backend is unreachable; the outcome is unknown. Re-send the same events.
    Unavailable,
    /// Stored data does not fit the type it was read as.
    Decode,
    /// Another backend failure; see [`Error::is_retryable`].
    Backend,
}

impl Error {
    /// Wraps a backend error that does not fit another variant, and that a retry will not fix.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend {
            message: error.to_string(),
            retryable: false,
            source: Some(Box::new(error)),
        }
    }

    /// Wraps a backend error after which nothing was applied and the same call may be retried
    /// (a serialization failure, a deadlock victim).
    pub fn retryable_backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend {
            message: error.to_string(),
            retryable: true,
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

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidStreamId { .. }
            | Self::InvalidEventType { .. }
            | Self::InvalidCategory { .. }
            | Self::InvalidCheckpoint { .. }
            | Self::InvalidPayload { .. }
            | Self::PayloadTooLarge { .. }
            | Self::EmptyAppend { .. }
            | Self::BatchTooLarge { .. }
            | Self::InvalidMultiAppend { .. }
            | Self::InvalidAppend { .. }
            | Self::RepeatedEventId { .. } => ErrorKind::Input,
            Self::Conflict { .. } | Self::CheckpointConflict { .. } => ErrorKind::Conflict,
            Self::DuplicateEventId { .. } => ErrorKind::Duplicate,
            Self::StreamDeleted { .. } => ErrorKind::StreamDeleted,
            Self::Decode { .. } | Self::Upcast { .. } => ErrorKind::Decode,
            Self::Unsupported { .. } => ErrorKind::Unsupported,
            Self::Unavailable { .. } => ErrorKind::Unavailable,
            Self::Backend { .. } => ErrorKind::Backend,
        }
    }

    /// Whether trying again can succeed: a conflict (after deciding again on fresh state), an
    /// unavailable backend (re-sending the same event ids) and a retryable backend failure.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Backend { retryable, .. } => *retryable,
            _ => matches!(self.kind(), ErrorKind::Conflict | ErrorKind::Unavailable),
        }
    }

    /// Whether this is a version conflict, the one error a command executor decides again on.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }

    /// A decoding failure without context; [`RecordedEvent::decode`](crate::RecordedEvent::decode)
    /// and the repository add the stream, version and type.
    pub(crate) fn decode(reason: impl fmt::Display) -> Self {
        Self::Decode {
            stream: None,
            version: None,
            event_type: None,
            schema_version: None,
            reason: reason.to_string(),
        }
    }

    /// An invalid payload, metadata or snapshot state.
    pub(crate) fn invalid(what: &'static str, reason: impl fmt::Display) -> Self {
        Self::InvalidPayload {
            what,
            reason: reason.to_string(),
        }
    }
}

fn display_version(version: Option<Version>) -> String {
    match version {
        Some(v) => format!("version {v}"),
        None => "no stream".to_owned(),
    }
}

fn display_checkpoint(checkpoint: Option<&str>) -> String {
    match checkpoint {
        Some(text) => text.to_owned(),
        None => "none".to_owned(),
    }
}

/// Where a decoding failure happened, as much as is known.
struct DecodeSite<'a> {
    stream: Option<&'a StreamId>,
    version: Option<Version>,
    event_type: Option<&'a EventType>,
    schema_version: Option<u32>,
}

impl fmt::Display for DecodeSite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.event_type {
            Some(event_type) => write!(f, "event {event_type}")?,
            None => f.write_str("stored data")?,
        }
        if let Some(schema) = self.schema_version {
            write!(f, " (schema version {schema})")?;
        }
        if let Some(version) = self.version {
            write!(f, " at version {version}")?;
        }
        if let Some(stream) = self.stream {
            write!(f, " of stream {stream}")?;
        }
        Ok(())
    }
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_message_names_every_known_fact() {
        let error = Error::Decode {
            stream: StreamId::new("account-1").ok(),
            version: Version::new(3),
            event_type: EventType::new("Deposited").ok(),
            schema_version: Some(2),
            reason: "missing field `amount`".into(),
        };
        assert_eq!(
            error.to_string(),
            "cannot decode event Deposited (schema version 2) at version 3 of stream account-1: \
             missing field `amount`; register an upcaster for this shape or fix the type"
        );
        assert_eq!(
            Error::decode("eof").to_string(),
            "cannot decode stored data: eof; register an upcaster for this shape or fix the type"
        );
    }

    #[test]
    fn kinds_and_retries_follow_the_variant() {
        let unavailable = Error::Unavailable {
            message: "reset".into(),
            source: None,
        };
        assert_eq!(unavailable.kind(), ErrorKind::Unavailable);
        assert!(unavailable.is_retryable());
        let fatal = Error::Backend {
            message: "disk full".into(),
            retryable: false,
            source: None,
        };
        assert!(!fatal.is_retryable());
        assert!(!fatal.to_string().contains("retry"));
        let serialization = Error::Backend {
            message: "could not serialize".into(),
            retryable: true,
            source: None,
        };
        assert!(serialization.is_retryable());
        assert!(serialization.to_string().contains("retry the same call"));
        assert_eq!(
            Error::StreamDeleted {
                stream: StreamId::new("s").unwrap()
            }
            .kind(),
            ErrorKind::StreamDeleted
        );
    }
}
