//! Catching up on the global order from the start: a reader that pages through every event
//! stored (a projection rebuilt, a new subscriber), PostgreSQL's `read_all` next to a raw paged
//! `SELECT ... WHERE position > $1 ORDER BY position LIMIT n` over as many rows.

use es_core::{Error, EventWriter, EventWriterExt, ExpectedVersion};
use memory_store::MemoryStore;
use postgres_store::PgStore;

use super::{Row, postgres, reads::thousands, repeat};
use crate::{
    fixtures::{deposits, fresh_stream},
    interleaved::{Plan, interleave, rate},
    raw_sql::RawSql,
    workloads,
};

/// Events a page asks for, on both sides.
pub const PAGE: usize = 1_000;

/// Events seeded for a full run; a smoke run seeds [`SMOKE_EVENTS`].
pub const EVENTS: u64 = 100_000;

/// Events seeded for a smoke run, so that `-- --test` stays quick.
pub const SMOKE_EVENTS: u64 = 10_000;

/// The name of the catch-up workload over `events` events.
///
/// ```
/// assert_eq!(
///     benches::report::catch_up::read_all_workload(100_000),
///     "read_all from the start over 100,000 events, pages of 1,000"
/// );
/// ```
pub fn read_all_workload(events: u64) -> String {
    format!(
        "read_all from the start over {} events, pages of {}",
        thousands(events),
        thousands(PAGE as u64)
    )
}

/// Appends `events` deposits to `store` in streams of up to 1,000 (one append each), so that
/// the table holds many streams as a service's would. Returns the first stream.
pub(crate) async fn seed_streams<S: EventWriter>(
    store: &S,
    events: u64,
) -> Result<Option<es_core::StreamId>, Error> {
    let mut first = None;
    let mut written = 0;
    while written < events {
        let batch = (events - written).min(1_000);
        let stream = fresh_stream("seeded")?;
        store
            .append_events(&stream, ExpectedVersion::NoStream, deposits(batch)?)
            .await?;
        first.get_or_insert(stream);
        written += batch;
    }
    Ok(first)
}

/// The same on the raw table: one UNNEST insert per stream of up to 1,000 rows.
pub(crate) async fn seed_raw_streams(raw: &RawSql, events: u64) -> Result<Option<String>, Error> {
    let mut first = None;
    let mut written = 0;
    while written < events {
        let batch = (events - written).min(1_000);
        let stream = raw.seed_stream(batch).await?;
        first.get_or_insert(stream);
        written += batch;
    }
    Ok(first)
}

/// `events` events seeded once into a schema of their own (`schema`, dropped at the end), then
/// PostgreSQL's `read_all` from the start interleaved with the raw paged read.
///
/// # Errors
///
/// The first error of the seeding or of a read.
pub async fn compare(plan: Plan, url: &str, schema: &str, events: u64) -> Result<Vec<Row>, Error> {
    postgres::in_own_schema(url, schema, async |store, raw| {
        measure(plan, store, raw, events).await
    })
    .await
}

async fn measure(
    plan: Plan,
    store: &PgStore,
    raw: &RawSql,
    events: u64,
) -> Result<Vec<Row>, Error> {
    seed_streams(store, events).await?;
    seed_raw_streams(raw, events).await?;
    // Freshly loaded tables: settle hint bits and the visibility map now, so that neither side
    // meets an autovacuum or the first reader's writes mid-measurement.
    sqlx::query("VACUUM ANALYZE events, raw_events")
        .execute(store.pool())
        .await
        .map_err(Error::backend)?;
    let rounds = interleave(
        plan,
        || postgres::checkpoint(store),
        |time| rate(time, || workloads::read_all(store, PAGE)),
        |time| rate(time, || raw.read_all(PAGE)),
    )
    .await?;
    Ok(vec![Row::from_rounds(
        &read_all_workload(events),
        "postgres",
        &rounds,
    )])
}

/// The same read_all over `events` events seeded into a memory store (reads leave it as it
/// was, so one store serves every round).
///
/// # Errors
///
/// The first error of the seeding or of a read.
pub async fn memory(plan: Plan, events: u64) -> Result<Row, Error> {
    let store = MemoryStore::new();
    seed_streams(&store, events).await?;
    let rates = repeat::rounds(plan, repeat::nothing, |time| {
        rate(time, || workloads::read_all(&store, PAGE))
    })
    .await?;
    Ok(Row::alone(&read_all_workload(events), "memory", &rates))
}
