use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, EventId, EventRef, EventType, Metadata, Payload, Position, StreamId, Version};

/// An event on its way into a store: type-erased, already serialized.
///
/// ```
/// use es_core::{NewEvent, Metadata};
///
/// let event = NewEvent::from_json("Deposited", r#"{"amount":5}"#)?
///     .with_metadata(Metadata::default().with_user_key("source", "atm"));
/// assert_eq!(event.event_type.as_str(), "Deposited");
/// assert_eq!(event.payload.as_str(), r#"{"amount":5}"#);
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NewEvent {
    /// Unique across the store; re-send the same id to make an append idempotent.
    pub id: EventId,
    /// The stable type name.
    pub event_type: EventType,
    /// The body, as JSON.
    pub payload: Payload,
    /// Correlation, causation, schema version and free keys.
    pub metadata: Metadata,
}

impl NewEvent {
    /// An event with a fresh id and empty metadata.
    pub fn new(event_type: EventType, payload: Payload) -> Self {
        Self::from_parts(EventId::new(), event_type, payload, Metadata::default())
    }

    /// An event from all its parts, e.g. as a provider reads it back.
    pub fn from_parts(
        id: EventId,
        event_type: EventType,
        payload: Payload,
        metadata: Metadata,
    ) -> Self {
        Self {
            id,
            event_type,
            payload,
            metadata,
        }
    }

    /// Validates the type name and the JSON text and makes an event of them.
    pub fn from_json(event_type: &str, json: impl Into<String>) -> Result<Self, Error> {
        Ok(Self::new(
            EventType::new(event_type)?,
            Payload::from_json(json)?,
        ))
    }

    /// Serializes `value` as the payload of an event named `event_type`.
    pub fn from_value<T: Serialize + ?Sized>(event_type: &str, value: &T) -> Result<Self, Error> {
        Ok(Self::new(
            EventType::new(event_type)?,
            Payload::from_value(value)?,
        ))
    }

    /// Replaces the id, e.g. with one from a deterministic id source or a re-send.
    #[must_use]
    pub fn with_id(mut self, id: EventId) -> Self {
        self.id = id;
        self
    }

    /// Replaces the metadata.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }
}

/// An event as a store keeps it: the [`NewEvent`] plus where and when it was recorded.
///
/// ```
/// use es_core::{NewEvent, Position, RecordedEvent, StreamId, Version};
///
/// #[derive(serde::Deserialize)]
/// struct Deposited { amount: u64 }
///
/// let event = RecordedEvent::new(
///     NewEvent::from_json("Deposited", r#"{"amount":5}"#)?,
///     StreamId::new("account-1")?, Version::FIRST, Position::new(1), es_core::chrono::Utc::now(),
/// );
/// let deposited: Deposited = event.decode()?;
/// assert_eq!(deposited.amount, 5);
/// assert!(event.decode::<Vec<u8>>().unwrap_err().to_string().contains("stream account-1"));
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedEvent {
    /// The id it was appended with.
    pub id: EventId,
    /// The stream it belongs to.
    pub stream_id: StreamId,
    /// Its version within the stream (the first is 1).
    pub version: Version,
    /// Its place in the store's global order.
    pub position: Position,
    /// The stable type name.
    pub event_type: EventType,
    /// The body, as JSON.
    pub payload: Payload,
    /// Correlation, causation, schema version and free keys.
    pub metadata: Metadata,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// `event` as stored at `version` of `stream_id`, at `position`, at `recorded_at`.
    pub fn new(
        event: NewEvent,
        stream_id: StreamId,
        version: Version,
        position: Position,
        recorded_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: event.id,
            stream_id,
            version,
            position,
            event_type: event.event_type,
            payload: event.payload,
            metadata: event.metadata,
            recorded_at,
        }
    }

    /// Where this event is: version, position and id.
    pub fn event_ref(&self) -> EventRef {
        EventRef::new(self.version, self.position, self.id)
    }

    /// Deserializes the payload into `T`; [`Error::Decode`] naming the stream, version, type and
    /// schema version when it does not fit.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(self.payload.as_str()).map_err(|error| Error::Decode {
            stream: Some(self.stream_id.clone()),
            version: Some(self.version),
            event_type: Some(self.event_type.clone()),
            schema_version: Some(self.metadata.schema_version),
            reason: error.to_string(),
        })
    }

    /// Whether this recorded event is what `new` asked to store: same id, type, payload (by
    /// JSON meaning) and metadata.
    pub fn matches(&self, new: &NewEvent) -> bool {
        self.id == new.id
            && self.event_type == new.event_type
            && self.metadata == new.metadata
            && self.payload.json_eq(&new.payload)
    }
}
