//! The raw database limit: plain sqlx statements writing and reading the same rows in a table
//! of the same shape (same columns, defaults, indexes and constraints as the store's `events`),
//! with no expected-version check, no idempotency and no notification. What the PostgreSQL
//! provider costs on top of this is what its guarantees cost.

use es_core::{Error, NewEvent};
use sqlx::{PgPool, Row};

use crate::fixtures::{deposit, fresh_stream};

/// A table shaped like `events`, written and read with the plainest statements.
#[derive(Debug, Clone)]
pub struct RawSql {
    pool: PgPool,
}

/// One INSERT of one row: what a hand-written single-event append would send.
const INSERT_ONE: &str = "INSERT INTO raw_events (stream_id, version, event_id, event_type, payload, metadata) \
     VALUES ($1, $2, $3, $4, $5::json, $6::json)";

/// One INSERT of a whole batch via UNNEST: the fastest plain batch insert.
const INSERT_BATCH: &str = "INSERT INTO raw_events (stream_id, version, event_id, event_type, payload, metadata) \
     SELECT s, v, i, t, p::json, m::json \
     FROM unnest($1::text[], $2::int8[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS u(s, v, i, t, p, m)";

const READ: &str = "SELECT position, stream_id, version, event_id, event_type, payload::text AS payload, \
     metadata::text AS metadata, recorded_at FROM raw_events WHERE stream_id = $1 ORDER BY version";

/// One page of the global order: the plainest catch-up a hand-written reader would page with.
const READ_AFTER: &str = "SELECT position, stream_id, version, event_id, event_type, payload::text AS payload, \
     metadata::text AS metadata, recorded_at FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2";

fn db(error: sqlx::Error) -> Error {
    Error::backend(error)
}

impl RawSql {
    /// Creates `raw_events` (`LIKE events INCLUDING ALL`) next to the store's tables.
    pub async fn create(pool: PgPool) -> Result<Self, Error> {
        sqlx::query("CREATE TABLE IF NOT EXISTS raw_events (LIKE events INCLUDING ALL)")
            .execute(&pool)
            .await
            .map_err(db)?;
        Ok(Self { pool })
    }

    /// `iterations` inserts of `batch` rows each into one fresh stream, versions counted by the
    /// client (a single writer), events built exactly as the store's workloads build them.
    pub async fn append_batches(&self, iterations: u64, batch: u64) -> Result<u64, Error> {
        let stream = fresh_stream("raw")?;
        let mut version = 0i64;
        for _ in 0..iterations {
            if batch == 1 {
                version += 1;
                self.insert_one(stream.as_str(), version).await?;
                continue;
            }
            let events = crate::fixtures::deposits(batch)?;
            let rows = events.iter().map(|event| {
                version += 1;
                (stream.as_str(), version, event)
            });
            self.insert_rows(rows).await?;
        }
        Ok(iterations * batch)
    }

    /// One row in each of `streams` fresh streams in one statement, `iterations` times: what a
    /// hand-written store sends for a multi-stream append (versions counted by the client, no
    /// checks).
    pub async fn append_multi(&self, iterations: u64, streams: u64) -> Result<u64, Error> {
        let ids = (0..streams)
            .map(|_| fresh_stream("raw-multi"))
            .collect::<Result<Vec<_>, _>>()?;
        // Each round is the next version of every stream.
        for version in 1..=i64::try_from(iterations).unwrap_or(i64::MAX) {
            let events = crate::fixtures::deposits(streams)?;
            let rows = ids
                .iter()
                .zip(&events)
                .map(|(id, event)| (id.as_str(), version, event));
            self.insert_rows(rows).await?;
        }
        Ok(iterations * streams)
    }

    /// One UNNEST INSERT of `rows` (stream, version, event), in its own transaction.
    async fn insert_rows<'a>(
        &self,
        rows: impl Iterator<Item = (&'a str, i64, &'a NewEvent)>,
    ) -> Result<(), Error> {
        let mut streams = Vec::new();
        let mut versions = Vec::new();
        let mut ids = Vec::new();
        let mut types = Vec::new();
        let mut payloads = Vec::new();
        let mut metadata = Vec::new();
        for (stream, version, event) in rows {
            streams.push(stream.to_owned());
            versions.push(version);
            ids.push(*event.id.as_uuid());
            types.push(event.event_type.as_str().to_owned());
            payloads.push(event.payload.as_str().to_owned());
            metadata.push(event.metadata.to_json()?);
        }
        sqlx::query(INSERT_BATCH)
            .bind(streams)
            .bind(versions)
            .bind(ids)
            .bind(types)
            .bind(payloads)
            .bind(metadata)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// One row in its own transaction (autocommit): `stream` at `version`, built as the
    /// store's workloads build events. What one writer of a hand-written store sends per event.
    pub async fn insert_one(&self, stream: &str, version: i64) -> Result<u64, Error> {
        let event = deposit(1)?;
        sqlx::query(INSERT_ONE)
            .bind(stream)
            .bind(version)
            .bind(event.id.as_uuid())
            .bind(event.event_type.as_str())
            .bind(event.payload.as_str())
            .bind(event.metadata.to_json()?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(1)
    }

    /// One row to a new stream (version 1), `iterations` times.
    pub async fn append_to_new_streams(&self, iterations: u64) -> Result<u64, Error> {
        for _ in 0..iterations {
            let stream = fresh_stream("raw-new")?;
            self.insert_one(stream.as_str(), 1).await?;
        }
        Ok(iterations)
    }

    /// Fills a fresh stream with `events` rows and returns its name.
    pub async fn seed_stream(&self, events: u64) -> Result<String, Error> {
        let stream = fresh_stream("raw-seeded")?;
        let rows: Vec<_> = (1..=events).map(deposit).collect::<Result<_, _>>()?;
        let versions: Vec<i64> = (1..=i64::try_from(events).unwrap_or(i64::MAX)).collect();
        sqlx::query(INSERT_BATCH)
            .bind(vec![stream.as_str().to_owned(); rows.len()])
            .bind(versions)
            .bind(rows.iter().map(|e| *e.id.as_uuid()).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|e| e.event_type.as_str().to_owned())
                    .collect::<Vec<_>>(),
            )
            .bind(
                rows.iter()
                    .map(|e| e.payload.as_str().to_owned())
                    .collect::<Vec<_>>(),
            )
            .bind(
                rows.iter()
                    .map(|e| e.metadata.to_json())
                    .collect::<Result<Vec<_>, _>>()?,
            )
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(stream.as_str().to_owned())
    }

    /// Reads a whole stream into owned rows (the same columns the store decodes).
    pub async fn read_stream(&self, stream: &str) -> Result<u64, Error> {
        let rows = sqlx::query(READ)
            .bind(stream)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows).map(|(count, _)| count)
    }

    /// Pages through the whole table in position order, `page` rows at a time, each page after
    /// the last position of the one before, until a page comes back short: a catch-up with no
    /// guard against positions committed out of order. Returns the rows read.
    pub async fn read_all(&self, page: usize) -> Result<u64, Error> {
        let limit = i64::try_from(page).unwrap_or(i64::MAX);
        let (mut after, mut count) = (0i64, 0u64);
        loop {
            let rows = sqlx::query(READ_AFTER)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            let (read, last) = decode_all(&rows)?;
            count += read;
            match last {
                Some(last) if rows.len() >= page => after = last,
                _ => return Ok(count),
            }
        }
    }

    /// How many rows the table holds.
    pub async fn count(&self) -> Result<u64, Error> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM raw_events")
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        Ok(count.unsigned_abs())
    }
}

/// Decodes every row into owned values (the same columns the store decodes); returns how many
/// and the last row's position.
fn decode_all(rows: &[sqlx::postgres::PgRow]) -> Result<(u64, Option<i64>), Error> {
    let mut count = 0;
    let mut last = None;
    for row in rows {
        let decoded: (i64, String, i64, uuid::Uuid, String, String, String) = (
            row.try_get(0).map_err(db)?,
            row.try_get(1).map_err(db)?,
            row.try_get(2).map_err(db)?,
            row.try_get(3).map_err(db)?,
            row.try_get(4).map_err(db)?,
            row.try_get(5).map_err(db)?,
            row.try_get(6).map_err(db)?,
        );
        last = Some(decoded.0);
        count += 1;
    }
    Ok((count, last))
}
