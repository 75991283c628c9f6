//! Eight writers on one stream through the executor: every command loads, decides and appends
//! with `Exact(version)`, and a conflict makes it decide again on fresh state. The row gives
//! the events committed per second and how many retries a command took; the raw limit has no
//! such loop, so there is nothing to divide by.

use std::{cell::Cell, sync::Arc};

use es_core::{Error, EventStore, ExecuteError, Repository, RetryPolicy};
use memory_store::MemoryStore;
use postgres_store::PgStore;

use super::{Row, postgres};
use crate::{
    domain::{Account, AccountCommand},
    fixtures::fresh_stream,
    interleaved::{Plan, median, rate},
    workloads::CONTENTION_ROUND,
};

/// The writers racing on one stream.
pub const WRITERS: u64 = 8;

/// The workload's name in the report.
pub const WORKLOAD: &str = "8 writers on one stream through the executor";

/// What [`contended_commands`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Contended {
    /// Events committed (one per command).
    pub events: u64,
    /// Attempts beyond the first, over all commands.
    pub retries: u64,
}

/// `writers` tasks execute `commands` deposit commands each on one fresh stream through a
/// repository that retries conflicts (up to 1,000 attempts, the default jittered delays), as
/// [`workloads::contended_commands`](crate::workloads::contended_commands) does for one round,
/// counting the retries the executor reports.
///
/// ```
/// use benches::report::contention::contended_commands;
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let done = contended_commands(memory_store::MemoryStore::new(), 4, 5).await?;
/// assert_eq!(done.events, 20);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
///
/// # Errors
///
/// The first store error of a command, or a command that ran out of attempts.
pub async fn contended_commands<S>(
    store: S,
    writers: u64,
    commands: u64,
) -> Result<Contended, Error>
where
    S: EventStore + Clone + 'static,
{
    let repository = Arc::new(
        Repository::<Account, S>::new(store).with_retry(RetryPolicy {
            max_attempts: 1_000,
            ..RetryPolicy::default()
        }),
    );
    let stream = fresh_stream("contended")?;
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let (repository, stream) = (repository.clone(), stream.clone());
            tokio::spawn(async move {
                let mut retries = 0u64;
                for _ in 0..commands {
                    let deposit = AccountCommand::Deposit { amount: 1 };
                    let executed =
                        repository
                            .execute(&stream, &deposit, &())
                            .await
                            .map_err(|error| match error {
                                ExecuteError::Store(error) => error,
                                other => Error::backend(other),
                            })?;
                    retries += u64::from(executed.attempts.saturating_sub(1));
                }
                Ok::<u64, Error>(retries)
            })
        })
        .collect();
    let mut done = Contended::default();
    for task in tasks {
        done.retries += task.await.map_err(Error::backend)??;
        done.events += commands;
    }
    Ok(done)
}

/// Events per second and retries per command of one round: [`WRITERS`] writers, a fresh
/// stream after every [`CONTENTION_ROUND`] commands each, again and again for `time`.
async fn round<S>(store: &S, time: std::time::Duration) -> Result<(f64, f64), Error>
where
    S: EventStore + Clone + 'static,
{
    let (events, retries) = (Cell::new(0u64), Cell::new(0u64));
    let per_s = rate(time, || async {
        let done = contended_commands(store.clone(), WRITERS, CONTENTION_ROUND).await?;
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
