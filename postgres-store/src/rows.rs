//! Turning rows back into events and numbers back into versions: shared by appends and reads.

use es_core::{
    EventId, EventType, Metadata, NewEvent, Payload, Position, RecordedEvent, Result, StreamId,
    Version,
};
use sqlx::{Row, postgres::PgRow};
use uuid::Uuid;

use crate::error::{invariant, store_error};

/// A count or version as PostgreSQL's `bigint` (saturating: anything that large conflicts).
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored version, which is never 0 (a CHECK constraint).
pub(crate) fn version(v: i64) -> Result<Version> {
    Version::new(v.unsigned_abs()).ok_or_else(|| invariant("a stored version is 0"))
}

/// A stored position.
pub(crate) fn position(p: i64) -> Position {
    Position::new(p.unsigned_abs())
}

/// Whether a row of a LEFT JOIN LATERAL read holds an event (its columns are NULL otherwise).
pub(crate) fn has_event(row: &PgRow) -> Result<bool> {
    Ok(row
        .try_get::<Option<i64>, _>("position")
        .map_err(store_error)?
        .is_some())
}

/// Decodes the rows of one read, skipping work PostgreSQL or an earlier row already did: a
/// stream id or event type equal to the previous row's is shared instead of validated and
/// allocated again (a stream read has one stream id, known before the first row; reads see few
/// distinct types, usually in runs), text columns are borrowed from the row where the event
/// keeps no copy, and empty metadata is recognised without a parser (`Metadata::from_json`).
#[derive(Default)]
pub(crate) struct Decoder {
    stream: Option<StreamId>,
    event_type: Option<EventType>,
}

impl Decoder {
    /// A decoder for rows that (all, or mostly) belong to `stream`.
    pub(crate) fn of_stream(stream: &StreamId) -> Self {
        Self {
            stream: Some(stream.clone()),
            event_type: None,
        }
    }

    /// One event row (the columns of `sql::event_columns!`).
    pub(crate) fn decode(&mut self, row: &PgRow) -> Result<RecordedEvent> {
        let position_value: i64 = row.try_get("position").map_err(store_error)?;
        let stream = self.stream(row.try_get("stream_id").map_err(store_error)?)?;
        let version_value: i64 = row.try_get("version").map_err(store_error)?;
        let id: Uuid = row.try_get("event_id").map_err(store_error)?;
        let event_type = self.event_type(row.try_get("event_type").map_err(store_error)?)?;
        let payload: String = row.try_get("payload").map_err(store_error)?;
        let metadata: &str = row.try_get("metadata").map_err(store_error)?;
        let event = NewEvent::from_parts(
            EventId::from_uuid(id),
            event_type,
            Payload::from_json(payload)?,
            Metadata::from_json(metadata)?,
        );
        Ok(RecordedEvent::new(
            event,
            stream,
            version(version_value)?,
            position(position_value),
            row.try_get("recorded_at").map_err(store_error)?,
        ))
    }

    /// The row's stream id, shared with the previous row's when it is the same.
    fn stream(&mut self, id: &str) -> Result<StreamId> {
        if let Some(previous) = self.stream.as_ref().filter(|s| s.as_str() == id) {
            return Ok(previous.clone());
        }
        let stream = StreamId::new(id)?;
        self.stream = Some(stream.clone());
        Ok(stream)
    }

    /// The row's event type, shared with the previous row's when it is the same name.
    fn event_type(&mut self, name: &str) -> Result<EventType> {
        if let Some(previous) = self.event_type.as_ref().filter(|t| t.as_str() == name) {
            return Ok(previous.clone());
        }
        let event_type = EventType::new(name)?;
        self.event_type = Some(event_type.clone());
        Ok(event_type)
    }
}
