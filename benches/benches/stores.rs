//! The same workloads against every provider. Throughput is in events per second.
//!
//! `cargo bench -p benches` (add `-- <filter>` to pick workloads, `-- --test` for one pass).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use benches::{raw_sql::RawSql, workloads};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use es_core::{
    Repository, SnapshotStore,
    testing::{FreshStore, StoreFactory},
};
use postgres_store::{PgStore, PgStoreConfig, harness::LocalCluster};
use tokio::runtime::Runtime;

/// Events in the stream the read and rehydration workloads load.
const STREAM_LEN: u64 = 1_000;
/// Events in the store the read-all and catch-up workloads page through.
const STORE_LEN: u64 = 10_000;

fn runtime() -> Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("cannot start a tokio runtime for the benchmarks: {error}"),
    }
}

fn check<T>(outcome: Result<T, es_core::Error>) -> T {
    outcome.unwrap_or_else(|error| panic!("benchmark workload failed: {error}"))
}

/// A fresh store (and its reader) from `factory`.
fn fresh<F: StoreFactory>(rt: &Runtime, factory: &F) -> FreshStore<F::Store, F::Reader> {
    rt.block_on(factory.create())
        .unwrap_or_else(|error| panic!("cannot make a store for the benchmarks: {error}"))
}

/// Runs every workload against one provider. `factory` makes an empty store; `fresh_per_sample`
/// says whether append workloads may take a new one per sample (cheap for memory, which would
/// otherwise grow without bound) or must share one (a database). Writes go through the
/// factory's store, reads through its reader. Both providers keep snapshots, so the rehydration
/// from a snapshot runs for both; a provider without [`SnapshotStore`] would drop that bound and
/// that benchmark.
fn provider<F>(c: &mut Criterion, rt: &Runtime, name: &str, factory: F, fresh_per_sample: bool)
where
    F: StoreFactory,
    F::Store: SnapshotStore,
{
    let shared = fresh(rt, &factory);
    let store_for_sample = || {
        if fresh_per_sample {
            fresh(rt, &factory).store
        } else {
            shared.store.clone()
        }
    };

    let mut group = c.benchmark_group("append");
    for batch in [1u64, 10, 100] {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(BenchmarkId::new(format!("batch-{batch}"), name), |b| {
            b.iter_custom(|iters| {
                let store = store_for_sample();
                let start = Instant::now();
                check(rt.block_on(workloads::append_batches(&store, iters, batch)));
                start.elapsed()
            });
        });
    }
    group.throughput(Throughput::Elements(4));
    group.bench_function(BenchmarkId::new("multi-4-streams", name), |b| {
        b.iter_custom(|iters| {
            let store = store_for_sample();
            let start = Instant::now();
            check(rt.block_on(workloads::append_multi(&store, iters, 4)));
            start.elapsed()
        });
    });
    // Eight writers on one stream through the executor: conflicts are retried on fresh state.
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("contended-8-writers", name), |b| {
        b.iter_custom(|iters| {
            let store = store_for_sample();
            let per_writer = iters.div_ceil(8);
            let start = Instant::now();
            check(rt.block_on(workloads::contended_commands(store, 8, per_writer)));
            start
                .elapsed()
                .mul_f64(iters as f64 / (per_writer * 8) as f64)
        });
    });
    group.finish();

    let stream = check(rt.block_on(workloads::seed_stream(&shared.store, STREAM_LEN)));
    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Elements(STREAM_LEN));
    group.bench_function(BenchmarkId::new("stream-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::read_stream(&shared.reader, &stream).await) });
    });
    group.finish();

    let mut group = c.benchmark_group("rehydrate");
    group.throughput(Throughput::Elements(STREAM_LEN));
    let full = Repository::new(shared.store.clone());
    group.bench_function(BenchmarkId::new("full-replay-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::rehydrate(&full, &stream).await) });
    });
    check(rt.block_on(workloads::snapshot_before_tail(&shared.store, &stream, 10)));
    let snapshots = Repository::new(shared.store.clone()).with_snapshots(u64::MAX);
    group.bench_function(BenchmarkId::new("snapshot-plus-10-of-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::rehydrate(&snapshots, &stream).await) });
    });
    group.finish();

    // A store holding exactly STORE_LEN events, so read-all and catch-up move a known amount.
    let filled = fresh(rt, &factory);
    for _ in 0..STORE_LEN / STREAM_LEN {
        check(rt.block_on(workloads::seed_stream(&filled.store, STREAM_LEN)));
    }
    let mut group = c.benchmark_group("read_all");
    group.throughput(Throughput::Elements(STORE_LEN));
    group.bench_function(BenchmarkId::new("pages-of-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::read_all(&filled.reader, 1_000).await) });
    });
    group.finish();
    let mut group = c.benchmark_group("subscribe");
    group.throughput(Throughput::Elements(STORE_LEN));
    group.bench_function(BenchmarkId::new("catch-up-10000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::catch_up(&filled.reader, STORE_LEN).await) });
    });
    group.finish();
}

fn memory(c: &mut Criterion) {
    let rt = runtime();
    provider(
        c,
        &rt,
        "memory",
        || async { memory_store::MemoryStore::new() },
        true,
    );
}

/// PostgreSQL: `DATABASE_URL` when set, else a throwaway cluster from the local binaries with
/// PostgreSQL's durable defaults (fsync and synchronous commit on, as users run it; the test
/// harness's cluster turns them off, which would flatter every write figure). Each fresh store is
/// a new schema in one database, so every workload sees the same server settings.
fn postgres(c: &mut Criterion) {
    let rt = runtime();
    let (url, cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => match LocalCluster::start_durable() {
            Ok(cluster) => (cluster.url("postgres"), Some(cluster)),
            Err(error) => {
                eprintln!("PostgreSQL benchmarks skipped: {error}");
                return;
            }
        },
    };
    let url: Arc<str> = url.into();
    let schemas = Arc::new(AtomicU32::new(0));
    let factory = move || {
        let (url, schema) = (url.clone(), schemas.fetch_add(1, Ordering::Relaxed));
        async move {
            let schema = format!("bench_{}_{schema}", std::process::id());
            let config = PgStoreConfig::new(&*url).schema(schema).max_connections(16);
            let store = PgStore::connect(config)
                .await
                .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL at {url}: {error}"));
            store
                .migrate()
                .await
                .unwrap_or_else(|error| panic!("cannot migrate: {error}"));
            store
        }
    };
    let first = fresh(&rt, &factory).store;
    raw_sql(c, &rt, &first);
    provider(c, &rt, "postgres", factory, false);
    drop(cluster); // stops the server and removes its directory before the process exits
}

/// Plain sqlx statements on the same server, same table shape: the limit to compare with.
fn raw_sql(c: &mut Criterion, rt: &Runtime, store: &PgStore) {
    let raw = check(rt.block_on(RawSql::create(store.pool().clone())));
    let mut group = c.benchmark_group("append");
    for batch in [1u64, 10, 100] {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(
            BenchmarkId::new(format!("batch-{batch}"), "postgres-raw-sql"),
            |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    check(rt.block_on(raw.append_batches(iters, batch)));
                    start.elapsed()
                });
            },
        );
    }
    group.finish();
    let stream = check(rt.block_on(raw.seed_stream(STREAM_LEN)));
    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Elements(STREAM_LEN));
    group.bench_function(BenchmarkId::new("stream-1000", "postgres-raw-sql"), |b| {
        b.to_async(rt)
            .iter(|| async { check(raw.read_stream(&stream).await) });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = stores; config = config(); targets = memory, postgres }
criterion_main!(stores);
