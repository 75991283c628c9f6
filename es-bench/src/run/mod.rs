//! The entry points: every workload against a store factory, a fresh store per workload, each
//! measured over the plan's rounds.

mod reads;
mod writes;

use std::{any::type_name, future::Future, time::Duration};

use es_core::{
    Claims, EventReader, ReadConsistency, SnapshotStore, StreamId,
    testing::{FreshStore, StoreFactory},
};

use crate::{Entry, Error, Report, Result, interleaved::Plan};

/// Why [`run`] reports the snapshot workloads as skipped.
const SNAPSHOTS_LEFT_OUT: &str = "`es_bench::run` leaves snapshots out; \
     `run_with_snapshots` measures them for a store that implements SnapshotStore \
     (`bench_main!` picks it by itself)";

/// Why the snapshot workloads are skipped for a store without the capability.
pub(crate) const NO_SNAPSHOTS: &str = "the store does not implement SnapshotStore";

/// Runs every workload the store can take against fresh stores from `factory`, each over
/// `plan.rounds` rounds of at least `plan.per_side`, and reports events per second with the
/// spread. The snapshot workloads are listed as skipped; [`run_with_snapshots`] runs them.
///
/// Each workload gets a store of its own from the factory, so none sees another's events; the
/// reads go through the factory's reader handle (waiting as long as the store's
/// [`ReadConsistency`] claim allows for it to see what was seeded). A workload whose size the
/// store's [`Claims`] do not allow (a batch above `max_events_per_append`) is skipped with the
/// claim that stopped it. Run it on a multi-threaded runtime: the contended workload spawns
/// writers that should race.
///
/// The workloads, in order: one event to a new stream; one event with `Exact` on its own
/// stream; batches of 10, 100 and 1,000; one event to each of 2 and of 5 streams at once;
/// 1, 4, 16 and 64 concurrent writers on streams of their own; 8 writers on one stream through
/// the executor (with its retries); reading a 10-, 1,000- and 10,000-event stream; reading
/// everything in pages; a subscription catching up; rehydrating a 1,000-event aggregate, and
/// (with snapshots) rehydrating it from a snapshot 10 events before its end.
///
/// ```
/// use std::time::Duration;
///
/// use es_bench::Plan;
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let factory = || async { MemoryStore::new() };
/// let plan = Plan { rounds: 2, per_side: Duration::from_millis(1) };
/// let report = es_bench::run(&factory, plan).await?;
/// assert!(report.get("append batches of 100").is_some_and(|e| e.measured().is_some()));
/// println!("{report}");
/// # Ok::<(), es_bench::Error>(())
/// # }).unwrap();
/// ```
///
/// # Errors
///
/// The first failure, naming its workload: [`Error::Factory`] when no store could be made,
/// [`Error::Workload`] when the store failed, [`Error::NotVisible`] when a reader did not see
/// the seeded events in time.
pub async fn run<F: StoreFactory>(factory: &F, plan: Plan) -> Result<Report> {
    run_without_snapshots(factory, plan, SNAPSHOTS_LEFT_OUT).await
}

/// [`run`], and the snapshot workloads too: rehydrating from a snapshot next to rehydrating
/// from the whole stream.
///
/// ```
/// use std::time::Duration;
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let factory = || async { memory_store::MemoryStore::new() };
/// let plan = es_bench::Plan { rounds: 2, per_side: Duration::from_millis(1) };
/// let report = es_bench::run_with_snapshots(&factory, plan).await?;
/// assert_eq!(report.skipped().count(), 0, "{report}");
/// # Ok::<(), es_bench::Error>(())
/// # }).unwrap();
/// ```
///
/// # Errors
///
/// As [`run`].
pub async fn run_with_snapshots<F>(factory: &F, plan: Plan) -> Result<Report>
where
    F: StoreFactory,
    F::Store: SnapshotStore,
{
    let mut bench = Bench::new(factory, plan);
    bench.everything_but_snapshots().await?;
    bench.snapshots().await?;
    Ok(bench.report)
}

/// [`run`] with the reason the snapshot workloads give for being skipped.
pub(crate) async fn run_without_snapshots<F: StoreFactory>(
    factory: &F,
    plan: Plan,
    reason: &str,
) -> Result<Report> {
    let mut bench = Bench::new(factory, plan);
    bench.everything_but_snapshots().await?;
    bench.skip_snapshots(reason);
    Ok(bench.report)
}

/// A run in progress: the factory, the plan, and the report so far.
struct Bench<'a, F> {
    factory: &'a F,
    plan: Plan,
    report: Report,
}

impl<'a, F: StoreFactory> Bench<'a, F> {
    fn new(factory: &'a F, plan: Plan) -> Self {
        Self {
            factory,
            plan,
            report: Report::new(type_name::<F::Store>(), plan),
        }
    }

    async fn everything_but_snapshots(&mut self) -> Result<()> {
        self.appends().await?;
        self.concurrent_writers().await?;
        self.reads().await?;
        self.rehydrate().await
    }

    /// A fresh store for `workload`, and what it claims.
    async fn fresh(&self, workload: &str) -> Result<(FreshStore<F::Store, F::Reader>, Claims)> {
        let fresh = self
            .factory
            .create()
            .await
            .map_err(|source| Error::Factory {
                workload: workload.to_owned(),
                source,
            })?;
        let claims = fresh.store.claims();
        Ok((fresh, claims))
    }

    fn measured(&mut self, workload: &str, rates: &[f64]) {
        self.report.push(Entry::from_rates(workload, rates));
    }

    fn skip(&mut self, workload: &str, reason: impl Into<String>) {
        self.report.push(Entry::skipped(workload, reason));
    }
}

/// `plan.rounds` measurements of `measure`, each given `plan.per_side`.
async fn rounds<M, Fut>(plan: Plan, mut measure: M) -> es_core::Result<Vec<f64>>
where
    M: FnMut(Duration) -> Fut,
    Fut: Future<Output = es_core::Result<f64>>,
{
    let mut rates = Vec::with_capacity(plan.rounds);
    for _ in 0..plan.rounds {
        rates.push(measure(plan.per_side).await?);
    }
    Ok(rates)
}

/// Names the workload a store error came from.
fn failed(workload: &str) -> impl FnOnce(es_core::Error) -> Error + '_ {
    move |source| Error::Workload {
        workload: workload.to_owned(),
        source,
    }
}

/// The largest batch a seed may append, by the store's claims (1,000 at most).
fn seed_batch(claims: &Claims) -> u64 {
    let most = claims.max_events_per_append.min(claims.max_events_per_call);
    u64::try_from(most).unwrap_or(u64::MAX).clamp(1, 1_000)
}

/// Waits until `reader` sees `stream` at version `events`, as long as the store's read
/// consistency claim allows (twice its bound and a second more, so a slow machine is not taken
/// for a broken promise).
async fn visible<R: EventReader>(
    reader: &R,
    claims: &Claims,
    workload: &str,
    stream: &StreamId,
    events: u64,
) -> Result<()> {
    let patience = match claims.consistency {
        ReadConsistency::Eventual { within } => within.saturating_mul(2),
        _ => Duration::ZERO,
    } + Duration::from_secs(1);
    let started = tokio::time::Instant::now();
    loop {
        let head = reader.stream_head(stream).await.map_err(failed(workload))?;
        if head.is_some_and(|head| head.version.get() >= events) {
            return Ok(());
        }
        if started.elapsed() >= patience {
            return Err(Error::NotVisible {
                workload: workload.to_owned(),
                waited_ms: started.elapsed().as_millis(),
            });
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
