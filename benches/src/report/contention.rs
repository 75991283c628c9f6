//! Eight writers on one stream through the executor: every command loads, decides and appends
//! with `Exact(version)`, and a conflict makes it decide again on fresh state. The row gives
//! the events committed per second and how many retries a command took; the raw limit has no
//! such loop, so there is nothing to divide by.

use std::cell::Cell;

use es_core::{Error, EventStore};
use memory_store::MemoryStore;
use postgres_store::PgStore;

use super::{Row, postgres};
use crate::{
    interleaved::{Plan, median, rate},
    workloads::{CONTENTION_ROUND, contend},
};

/// The writers racing on one stream.
pub const WRITERS: u64 = 8;

/// The workload's name in the report.
pub const WORKLOAD: &str = "8 writers on one stream through the executor";

/// Events per second and retries per command of one round: [`WRITERS`] writers through
/// [`contend`], a fresh stream after every [`CONTENTION_ROUND`] commands each, again and
/// again for `time`.
async fn round<S>(store: &S, time: std::time::Duration) -> Result<(f64, f64), Error>
where
    S: EventStore + Clone + 'static,
{
    let (events, retries) = (Cell::new(0u64), Cell::new(0u64));
    let per_s = rate(time, || async {
        // One stream per call: `contend` moves to a fresh one every CONTENTION_ROUND commands.
        let done = contend(store.clone(), WRITERS, CONTENTION_ROUND).await?;
        events.set(events.get() + done.events);
        retries.set(retries.get() + done.retries);
        Ok(done.events)
    })
    .await?;
    Ok((per_s, retries.get() as f64 / events.get().max(1) as f64))
}

/// The row of rounds of (events/s, retries per command).
fn row(provider: &str, measured: &[(f64, f64)]) -> Row {
    let rates: Vec<f64> = measured.iter().map(|m| m.0).collect();
    let retries: Vec<f64> = measured.iter().map(|m| m.1).collect();
    let (lo, hi) = retries
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(*r), hi.max(*r))
        });
    let note = format!(
        "{:.2} retries per command (median; {lo:.2}–{hi:.2} over the rounds); no raw limit: plain SQL has no load-decide-retry loop",
        median(&retries).unwrap_or(0.0)
    );
    Row::alone(WORKLOAD, provider, &rates).with_note(note)
}

/// The contended workload on a fresh memory store per round.
///
/// # Errors
///
/// The first error of a command.
pub async fn memory(plan: Plan) -> Result<Row, Error> {
    let mut measured = Vec::with_capacity(plan.rounds);
    for _ in 0..plan.rounds {
        measured.push(round(&MemoryStore::new(), plan.per_side).await?);
    }
    Ok(row("memory", &measured))
}

/// The contended workload on `store`, a `CHECKPOINT` before every round.
///
/// # Errors
///
/// The first error of a command.
pub async fn compare(plan: Plan, store: &PgStore) -> Result<Row, Error> {
    let mut measured = Vec::with_capacity(plan.rounds);
    for _ in 0..plan.rounds {
        postgres::checkpoint(store).await?;
        measured.push(round(store, plan.per_side).await?);
    }
    Ok(row("postgres", &measured))
}
