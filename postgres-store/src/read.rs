//! Reading a stream and the global order, and turning rows back into events.

use std::time::{Duration, Instant};

use es_core::{
    Direction, EventId, EventType, Metadata, Payload, Position, ReadStream, RecordedEvent, Result,
    StreamId, Version,
};
use sqlx::{PgPool, Row, postgres::PgRow};
use uuid::Uuid;

use crate::{
    append::to_i64,
    error::{invariant, store_error},
    sql,
};

pub(crate) async fn read_stream(
    pool: &PgPool,
    stream: &StreamId,
    read: ReadStream,
) -> Result<Vec<RecordedEvent>> {
    if read.limit == 0 {
        return Ok(Vec::new());
    }
    let (statement, from) = match read.direction {
        Direction::Forward => (sql::READ_FORWARD, read.from.map_or(1, |v| to_i64(v.get()))),
        Direction::Backward => (
            sql::READ_BACKWARD,
            read.from.map_or(i64::MAX, |v| to_i64(v.get())),
        ),
    };
    let rows = sqlx::query(statement)
        .bind(stream.as_str())
        .bind(from)
        .bind(to_i64(read.limit as u64))
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    rows.iter().map(decode).collect()
}

/// Reads the global order up to the safe bound (see `sql::READ_ALL`).
///
/// When in-flight transactions hold the bound back (rows at or past `from` are visible but
/// beyond the bound), it reads again with the per-database bound (`sql::READ_ALL_LOCAL`), and
/// then for up to `settle` so that a reader right after a commit sees it even while unrelated
/// transactions run; after that it returns the safe part, which may be empty.
pub(crate) async fn read_all(
    pool: &PgPool,
    from: Position,
    limit: usize,
    settle: Duration,
) -> Result<Vec<RecordedEvent>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    // The cheap cluster-wide bound first; the per-database bound only when it held rows back.
    let mut statement = sql::READ_ALL;
    loop {
        let rows = sqlx::query(statement)
            .bind(to_i64(from.get()))
            .bind(to_i64(limit as u64))
            .fetch_all(pool)
            .await
            .map_err(store_error)?;
        let mut events = Vec::with_capacity(rows.len());
        let mut beyond = false;
        for row in &rows {
            beyond |= row.try_get::<bool, _>("held_back").map_err(store_error)?;
            // The page's columns are NULL on the one row of an empty page.
            if row
                .try_get::<Option<i64>, _>("position")
                .map_err(store_error)?
                .is_some()
            {
                events.push(decode(row)?);
            }
        }
        // The statement orders the page; keep that guarantee independent of the plan's shape
        // (a no-op on sorted input).
        events.sort_by_key(|e| e.position);
        // A full page needs no second look: the caller asks again from its end.
        let held_back = beyond && events.len() < limit;
        if held_back && statement == sql::READ_ALL {
            statement = sql::READ_ALL_LOCAL;
            continue;
        }
        if !held_back || started.elapsed() >= settle {
            if held_back {
                tracing::debug!(
                    returned = events.len(),
                    "read_all held back by in-flight transactions"
                );
            }
            return Ok(events);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

pub(crate) fn decode(row: &PgRow) -> Result<RecordedEvent> {
    let position: i64 = row.try_get("position").map_err(store_error)?;
    let stream: String = row.try_get("stream_id").map_err(store_error)?;
    let version: i64 = row.try_get("version").map_err(store_error)?;
    let id: Uuid = row.try_get("event_id").map_err(store_error)?;
    let event_type: String = row.try_get("event_type").map_err(store_error)?;
    let payload: String = row.try_get("payload").map_err(store_error)?;
    let metadata: String = row.try_get("metadata").map_err(store_error)?;
    Ok(RecordedEvent {
        id: EventId::from_uuid(id),
        stream_id: StreamId::new(stream)?,
        version: Version::new(version.unsigned_abs())
            .ok_or_else(|| invariant("a stored version is 0"))?,
        position: Position::new(position.unsigned_abs()),
        event_type: EventType::new(event_type)?,
        payload: Payload::from_json(payload)?,
        metadata: Metadata::from_json(&metadata)?,
        recorded_at: row.try_get("recorded_at").map_err(store_error)?,
    })
}
