use std::fmt;

use uuid::Uuid;

/// The identity of one event: a UUID v7 (ids sort by creation time), or a UUID v5
/// [derived](EventId::derived) from a command's idempotency key.
///
/// Ids are unique across the whole store. Re-sending a batch with the same ids after a lost
/// acknowledgement is how a writer makes an append idempotent.
///
/// ```
/// use es_core::EventId;
///
/// let (a, b) = (EventId::new(), EventId::new());
/// assert_ne!(a, b);
/// assert!(a < b, "v7 ids made in order sort in order");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct EventId(Uuid);

impl EventId {
    /// A fresh, time-ordered id (UUID v7).
    #[allow(clippy::new_without_default)] // a default id would hide that every call is new
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID, e.g. one read back from a database or made by a test id source.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID inside.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({})", self.0)
    }
}

impl From<Uuid> for EventId {
    fn from(uuid: Uuid) -> Self {
        Self(uuid)
    }
}

impl EventId {
    /// The id of event `index` of what a command with idempotency `key` appends to `stream`:
    /// the same inputs always give the same id (a UUID v5), so a command delivered twice tries
    /// to store the very same ids and the store's exact re-send rule keeps it from being
    /// stored twice. Ids of other keys, streams or indexes never collide in practice.
    ///
    /// ```
    /// use es_core::{EventId, StreamId};
    /// use uuid::Uuid;
    ///
    /// let (key, stream) = (Uuid::now_v7(), StreamId::new("account-1")?);
    /// assert_eq!(EventId::derived(key, &stream, 0), EventId::derived(key, &stream, 0));
    /// assert_ne!(EventId::derived(key, &stream, 0), EventId::derived(key, &stream, 1));
    /// # Ok::<(), es_core::Error>(())
    /// ```
    pub fn derived(key: Uuid, stream: &crate::StreamId, index: u32) -> Self {
        let mut name = Vec::with_capacity(stream.as_str().len() + 5);
        name.extend_from_slice(stream.as_str().as_bytes());
        name.push(0);
        name.extend_from_slice(&index.to_be_bytes());
        Self(Uuid::new_v5(&key, &name))
    }
}
