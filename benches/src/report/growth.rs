//! The growth curve: what an append and a stream read cost as the table grows, PostgreSQL next
//! to its raw limit with the same number of rows in both tables. One schema of its own is
//! topped up step by step (10,000 events, then 100,000, then 1,000,000), each step measured
//! before the next is seeded; the memory store has no table, so it has no curve.

use es_core::{Error, StreamId};
use postgres_store::PgStore;

use super::{
    Row,
    catch_up::{seed_raw_streams, seed_streams},
    postgres,
    reads::{read_workload, thousands},
};
use crate::{
    interleaved::{Plan, interleave, rate},
    raw_sql::RawSql,
    workloads,
};

/// Events in the table at each step of a full run.
pub const STEPS: [u64; 3] = [10_000, 100_000, 1_000_000];

/// The steps of a smoke run: the million stays out of `-- --test`.
pub const SMOKE_STEPS: [u64; 1] = [10_000];

/// The append measured at every step (one event to a new stream, against the raw one-row
/// insert).
pub const APPEND: &str = "append 1 event, new stream";

/// Events in the stream read at every step (the first one seeded, so that from step to step
/// only the table around it changes).
pub const READ_LEN: u64 = 1_000;

/// The name of `workload` measured with `table_events` events in the table.
///
/// ```
/// use benches::report::growth::growth_workload;
///
/// assert_eq!(
///     growth_workload("append 1 event, new stream", 1_000_000),
///     "append 1 event, new stream, 1,000,000 events in the table"
/// );
/// ```
pub fn growth_workload(workload: &str, table_events: u64) -> String {
    format!(
        "{workload}, {} events in the table",
        thousands(table_events)
    )
}

/// The growth curve in schema `schema` (created, and dropped at the end): at each of `steps`,
/// both tables are topped up to that many events (in streams of 1,000, one append or one
/// insert each) and the read and the append are measured, each interleaved with its raw limit.
///
/// # Errors
///
/// The first error of the seeding or of a workload.
pub async fn compare(
    plan: Plan,
    url: &str,
    schema: &str,
    steps: &[u64],
) -> Result<Vec<Row>, Error> {
    postgres::in_own_schema(url, schema, async |store, raw| {
        measure(plan, store, raw, steps).await
    })
    .await
}

async fn measure(
    plan: Plan,
    store: &PgStore,
    raw: &RawSql,
    steps: &[u64],
) -> Result<Vec<Row>, Error> {
    let before = || postgres::checkpoint(store);
    let mut streams: Option<(StreamId, String)> = None;
    let mut rows = Vec::with_capacity(steps.len() * 2);
    for &target in steps {
        let first = seed_streams(store, target.saturating_sub(events(store).await?)).await?;
        let raw_first = seed_raw_streams(raw, target.saturating_sub(raw.count().await?)).await?;
        if let (None, Some(first), Some(raw_first)) = (&streams, first, raw_first) {
            streams = Some((first, raw_first));
        }
        // Freshly loaded rows: settle hint bits, the visibility map and the planner's
        // statistics now, so that no autovacuum or first reader's writes fall into a round.
        sqlx::query("VACUUM ANALYZE events, raw_events")
            .execute(store.pool())
            .await
            .map_err(Error::backend)?;

        // The read first: the appends that follow add a few thousand rows to both tables.
        if let Some((stream, raw_stream)) = &streams {
            let rounds = interleave(
                plan,
                before,
                |time| rate(time, || workloads::read_stream(store, stream)),
                |time| rate(time, || raw.read_stream(raw_stream)),
            )
            .await?;
            let read = read_workload(READ_LEN);
            rows.push(
                Row::from_rounds(&growth_workload(&read, target), "postgres", &rounds)
                    .with_growth(&read, target),
            );
        }
        let rounds = interleave(
            plan,
            before,
            |time| rate(time, || workloads::append_to_new_streams(store, 10)),
            |time| rate(time, || raw.append_to_new_streams(10)),
        )
        .await?;
        rows.push(
            Row::from_rounds(&growth_workload(APPEND, target), "postgres", &rounds)
                .with_growth(APPEND, target),
        );
    }
    Ok(rows)
}

/// How many events the store's table holds.
async fn events(store: &PgStore) -> Result<u64, Error> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(store.pool())
        .await
        .map_err(Error::backend)?;
    Ok(count.unsigned_abs())
}
