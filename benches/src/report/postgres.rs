//! PostgreSQL against its raw limit, interleaved round by round on one server and one schema.

use std::sync::atomic::{AtomicBool, Ordering};

use es_core::Error;
use postgres_store::PgStore;

use super::Row;
use crate::{
    fixtures::fresh_stream,
    interleaved::{Plan, interleave, rate, rate_concurrent},
    raw_sql::RawSql,
    workloads,
};

/// The writer counts of the concurrency curve.
pub const WRITERS: [usize; 4] = [1, 4, 16, 64];

/// Events in the stream the read workload loads.
const STREAM_LEN: u64 = 1_000;

/// Every PostgreSQL workload next to its raw limit, on `store` (whose pool the raw statements
/// share, so both sides have the same connections). `store`'s pool needs at least 64
/// connections for the widest concurrency step.
///
/// # Errors
///
/// The first error of a workload.
pub async fn compare(plan: Plan, store: &PgStore) -> Result<Vec<Row>, Error> {
    let raw = RawSql::create(store.pool().clone()).await?;
    let before = || checkpoint(store);
    let mut rows = Vec::new();

    let rounds = interleave(
        plan,
        before,
        |time| rate(time, || workloads::append_to_new_streams(store, 10)),
        |time| rate(time, || raw.append_to_new_streams(10)),
    )
    .await?;
    rows.push(Row::from_rounds(
        "append 1 event, new stream",
        "postgres",
        &rounds,
    ));

    let rounds = interleave(
        plan,
        before,
        |time| rate(time, || workloads::append_batches(store, 50, 1)),
        |time| rate(time, || raw.append_batches(50, 1)),
    )
    .await?;
    rows.push(Row::from_rounds(
        "append 1 event, Exact on its stream",
        "postgres",
        &rounds,
    ));

    for batch in [10u64, 100, 1_000] {
        let calls = (1_000 / batch).max(1);
        let rounds = interleave(
            plan,
            before,
            |time| rate(time, || workloads::append_batches(store, calls, batch)),
            |time| rate(time, || raw.append_batches(calls, batch)),
        )
        .await?;
        let name = format!("append batches of {batch}");
        rows.push(Row::from_rounds(&name, "postgres", &rounds));
    }

    for writers in WRITERS {
        let rounds = interleave(
            plan,
            before,
            |time| {
                rate_concurrent(writers, time, |_| {
                    workloads::append_to_new_streams(store, 1)
                })
            },
            |time| {
                rate_concurrent(writers, time, |_| async {
                    let stream = fresh_stream("raw-writer")?;
                    raw.insert_one(stream.as_str(), 1).await
                })
            },
        )
        .await?;
        let name = super::writers_workload(writers);
        rows.push(Row::from_rounds(&name, "postgres", &rounds).with_writers(writers));
    }

    let stream = workloads::seed_stream(store, STREAM_LEN).await?;
    let raw_stream = raw.seed_stream(STREAM_LEN).await?;
    let rounds = interleave(
        plan,
        before,
        |time| rate(time, || workloads::read_stream(store, &stream)),
        |time| rate(time, || raw.read_stream(&raw_stream)),
    )
    .await?;
    rows.push(Row::from_rounds(
        "read a 1,000-event stream",
        "postgres",
        &rounds,
    ));
    Ok(rows)
}

/// Writes dirty pages out, so that neither side of a round pays for the other's writes.
/// A role that may not checkpoint (a `DATABASE_URL` without the privilege) measures without.
async fn checkpoint(store: &PgStore) -> Result<(), Error> {
    static TOLD: AtomicBool = AtomicBool::new(false);
    if let Err(error) = sqlx::query("CHECKPOINT").execute(store.pool()).await
        && !TOLD.swap(true, Ordering::Relaxed)
    {
        eprintln!("CHECKPOINT before a measurement failed ({error}); measuring without");
    }
    Ok(())
}
