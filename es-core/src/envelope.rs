//! Commands in an envelope: metadata for the events they cause, and an idempotency key that
//! makes a second delivery harmless.

use uuid::Uuid;

use crate::{EventId, Metadata, RecordedEvent, StreamId};

/// A command with what travels with it: the metadata its events get (correlation, causation,
/// user keys) and an optional idempotency key.
///
/// With a key, the ids of the events the command appends are [derived](EventId::derived) from
/// the key, the stream and the event's index instead of drawn at random. A command delivered
/// twice (a process manager that crashed after acting and re-reads its input) therefore tries
/// to store the same ids again, and the executor reports the earlier execution instead of
/// storing anything twice. [`caused_by`](CommandEnvelope::caused_by) sets all of it from the
/// event that caused the command.
///
/// ```
/// use es_core::{CommandEnvelope, NewEvent, Position, RecordedEvent, StreamId, Version};
///
/// # let opened = RecordedEvent::new(NewEvent::from_json("TransferRequested", "{}")?,
/// #     StreamId::new("transfer-1")?, Version::FIRST, Position::new(1), es_core::chrono::Utc::now());
/// let debit = CommandEnvelope::new("debit account-a").caused_by(&opened);
/// assert_eq!(debit.metadata.causation_id, Some(*opened.id.as_uuid()));
/// assert_eq!(debit.idempotency_key, Some(*opened.id.as_uuid()));
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CommandEnvelope<C> {
    /// The command.
    pub command: C,
    /// The metadata every event the command causes carries (its schema version is set per
    /// event type).
    pub metadata: Metadata,
    /// Derives the events' ids, so a redelivery stores nothing twice (`None`: random ids).
    pub idempotency_key: Option<Uuid>,
}

impl<C> CommandEnvelope<C> {
    /// `command` with empty metadata and no idempotency key.
    pub fn new(command: C) -> Self {
        Self {
            command,
            metadata: Metadata::default(),
            idempotency_key: None,
        }
    }

    /// Replaces the metadata.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Sets the idempotency key: deliveries with the same key (to the same stream) are one.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: Uuid) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// The command as a reaction to `event`: causation is the event, correlation is the
    /// event's correlation (or the event itself when it has none), and the idempotency key is
    /// the event's id, so reacting to the same event again stores nothing twice.
    ///
    /// One event that causes two commands to the same stream needs two keys: use
    /// [`caused_by_as`](Self::caused_by_as).
    #[must_use]
    pub fn caused_by(mut self, event: &RecordedEvent) -> Self {
        let cause = *event.id.as_uuid();
        self.metadata.causation_id = Some(cause);
        self.metadata.correlation_id = Some(event.metadata.correlation_id.unwrap_or(cause));
        self.idempotency_key = Some(cause);
        self
    }

    /// [`caused_by`](Self::caused_by), with a key that also depends on `role` (e.g. `"debit"`,
    /// `"refund"`), for an event that causes several commands to one stream.
    #[must_use]
    pub fn caused_by_as(self, event: &RecordedEvent, role: &str) -> Self {
        let key = Uuid::new_v5(event.id.as_uuid(), role.as_bytes());
        self.caused_by(event).with_idempotency_key(key)
    }

    /// The id of event `index` of this command on `stream`: derived from the key, or fresh.
    pub fn event_id(&self, stream: &StreamId, index: usize) -> EventId {
        event_id(self.idempotency_key, stream, index)
    }
}

/// The id of event `index` of a command with `key` on `stream`: derived, or fresh without a key.
pub(crate) fn event_id(key: Option<Uuid>, stream: &StreamId, index: usize) -> EventId {
    match key {
        Some(key) => EventId::derived(key, stream, u32::try_from(index).unwrap_or(u32::MAX)),
        None => EventId::new(),
    }
}
