//! PostgreSQL against its raw limit, interleaved round by round on one server and one schema.

use std::sync::atomic::{AtomicBool, Ordering};

use es_core::Error;
use postgres_store::{PgStore, PgStoreConfig};

use super::{Row, reads};
use crate::{
    fixtures::fresh_stream,
    interleaved::{Plan, interleave, rate, rate_concurrent},
    raw_sql::RawSql,
    workloads,
};

/// The writer counts of the concurrency curve.
pub const WRITERS: [usize; 4] = [1, 4, 16, 64];

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

    for streams in [2u64, 5] {
        let rounds = interleave(
            plan,
            before,
            |time| rate(time, || workloads::append_multi(store, 50, streams)),
            |time| rate(time, || raw.append_multi(50, streams)),
        )
        .await?;
        rows.push(Row::from_rounds(
            &super::multi_workload(streams),
            "postgres",
            &rounds,
        ));
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

    rows.extend(reads::compare(plan, store, &raw, &reads::STREAM_LENGTHS, before).await?);
    Ok(rows)
}

/// A store and its raw table in a schema of their own (`schema`, created when missing), for
/// workloads that need to know how many events the tables hold: the main schema holds whatever
/// the workloads before them wrote.
///
/// # Errors
///
/// A connection, migration or `CREATE TABLE` that failed.
pub async fn open_schema(url: &str, schema: &str) -> Result<(PgStore, RawSql), Error> {
    let config = PgStoreConfig::new(url).schema(schema).max_connections(8);
    let store = PgStore::connect(config).await.map_err(Error::backend)?;
    store.migrate().await.map_err(Error::backend)?;
    let raw = RawSql::create(store.pool().clone()).await?;
    Ok((store, raw))
}

/// Drops `store`'s schema with everything in it and closes its pool: the seeded tables of
/// [`open_schema`] are large, and a `DATABASE_URL` server should not keep them.
///
/// # Errors
///
/// The `DROP SCHEMA` that failed.
pub async fn drop_schema(store: &PgStore) -> Result<(), Error> {
    // The schema name was validated as a plain identifier when the store connected.
    let drop = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", store.schema());
    sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(store.pool())
        .await
        .map_err(Error::backend)?;
    store.close().await;
    Ok(())
}

/// Runs `measure` on a store and raw table in a schema of their own ([`open_schema`]), then
/// drops the schema ([`drop_schema`]) whether or not the measurement succeeded.
///
/// # Errors
///
/// The first error of opening, measuring or dropping.
pub async fn in_own_schema(
    url: &str,
    schema: &str,
    measure: impl AsyncFnOnce(&PgStore, &RawSql) -> Result<Vec<Row>, Error>,
) -> Result<Vec<Row>, Error> {
    let (store, raw) = open_schema(url, schema).await?;
    let measured = measure(&store, &raw).await;
    let dropped = drop_schema(&store).await;
    let rows = measured?;
    dropped?;
    Ok(rows)
}

/// Writes dirty pages out, so that neither side of a round pays for the other's writes.
/// A role that may not checkpoint (a `DATABASE_URL` without the privilege) measures without.
pub async fn checkpoint(store: &PgStore) -> Result<(), Error> {
    static TOLD: AtomicBool = AtomicBool::new(false);
    if let Err(error) = sqlx::query("CHECKPOINT").execute(store.pool()).await
        && !TOLD.swap(true, Ordering::Relaxed)
    {
        eprintln!("CHECKPOINT before a measurement failed ({error}); measuring without");
    }
    Ok(())
}
