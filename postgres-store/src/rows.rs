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

/// One event row (the columns of `sql::event_columns!`).
pub(crate) fn decode(row: &PgRow) -> Result<RecordedEvent> {
    let position_value: i64 = row.try_get("position").map_err(store_error)?;
    let stream: String = row.try_get("stream_id").map_err(store_error)?;
    let version_value: i64 = row.try_get("version").map_err(store_error)?;
    let id: Uuid = row.try_get("event_id").map_err(store_error)?;
    let event_type: String = row.try_get("event_type").map_err(store_error)?;
    let payload: String = row.try_get("payload").map_err(store_error)?;
    let metadata: String = row.try_get("metadata").map_err(store_error)?;
    let event = NewEvent::from_parts(
        EventId::from_uuid(id),
        EventType::new(event_type)?,
        Payload::from_json(payload)?,
        Metadata::from_json(&metadata)?,
    );
    Ok(RecordedEvent::new(
        event,
        StreamId::new(stream)?,
        version(version_value)?,
        position(position_value),
        row.try_get("recorded_at").map_err(store_error)?,
    ))
}
