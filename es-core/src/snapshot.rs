//! Snapshots: an aggregate's state at an event, so loading need not replay the whole stream.

use crate::{EventRef, Payload, StreamId, Version};

/// An aggregate's state after the event `at`, kept so that loading need not replay the whole
/// stream.
///
/// It names the event it was taken at, not only its version: a loader refuses a snapshot whose
/// event is no longer in the stream (deleted, or the stream recreated since), so a snapshot can
/// never bring back state of an earlier life of the stream.
///
/// ```
/// use es_core::{EventId, EventRef, Payload, Position, Snapshot, StreamId, Version};
///
/// let at = EventRef::new(Version::new(8).unwrap(), Position::new(40), EventId::new());
/// let snapshot = Snapshot::new(StreamId::new("account-1")?, at, Payload::from_json(r#"{"balance":42}"#)?);
/// assert_eq!(snapshot.version().get(), 8);
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Snapshot {
    /// The stream the state belongs to.
    pub stream_id: StreamId,
    /// The last event folded into the state.
    pub at: EventRef,
    /// The serialized state.
    pub state: Payload,
}

impl Snapshot {
    /// The state `state` of `stream_id` after the event `at`.
    pub fn new(stream_id: StreamId, at: EventRef, state: Payload) -> Self {
        Self {
            stream_id,
            at,
            state,
        }
    }

    /// The version of the last event folded into the state.
    pub fn version(&self) -> Version {
        self.at.version
    }
}
