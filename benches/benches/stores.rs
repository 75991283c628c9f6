//! The same workloads against every provider. Throughput is in events per second.
//!
//! `cargo bench -p benches` (add `-- <filter>` to pick workloads, `-- --test` for one pass).

use std::{
    future::Future,
    time::{Duration, Instant},
};

use benches::{raw_sql::RawSql, workloads};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use es_core::{EventStore, Repository};
use postgres_store::{PgStore, PgStoreConfig, harness::LocalCluster};
use std::sync::atomic::{AtomicU32, Ordering};
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

/// Runs every workload against one provider. `fresh` makes an empty store; `fresh_per_sample`
/// says whether append workloads may take a new one per sample (cheap for memory, which would
/// otherwise grow without bound) or must share one (a database).
fn provider<S, F, Fut>(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    fresh: F,
    fresh_per_sample: bool,
) where
    S: EventStore + Clone + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    let shared = rt.block_on(fresh());
    let store_for_sample = || {
        if fresh_per_sample {
            rt.block_on(fresh())
        } else {
            shared.clone()
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

    let stream = check(rt.block_on(workloads::seed_stream(&shared, STREAM_LEN)));
    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Elements(STREAM_LEN));
    group.bench_function(BenchmarkId::new("stream-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::read_stream(&shared, &stream).await) });
    });
    group.finish();

    let mut group = c.benchmark_group("rehydrate");
    group.throughput(Throughput::Elements(STREAM_LEN));
    let full = Repository::new(shared.clone());
    group.bench_function(BenchmarkId::new("full-replay-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::rehydrate(&full, &stream).await) });
    });
    if shared.capabilities().snapshots {
        check(rt.block_on(workloads::snapshot_before_tail(&shared, &stream, 10)));
        let snapshots = Repository::new(shared.clone()).with_snapshots(u64::MAX);
        group.bench_function(BenchmarkId::new("snapshot-plus-10-of-1000", name), |b| {
            b.to_async(rt)
                .iter(|| async { check(workloads::rehydrate(&snapshots, &stream).await) });
        });
    }
    group.finish();

    // A store holding exactly STORE_LEN events, so read-all and catch-up move a known amount.
    let filled = rt.block_on(fresh());
    for _ in 0..STORE_LEN / STREAM_LEN {
        check(rt.block_on(workloads::seed_stream(&filled, STREAM_LEN)));
    }
    let mut group = c.benchmark_group("read_all");
    group.throughput(Throughput::Elements(STORE_LEN));
    group.bench_function(BenchmarkId::new("pages-of-1000", name), |b| {
        b.to_async(rt)
            .iter(|| async { check(workloads::read_all(&filled, 1_000).await) });
    });
    group.finish();
    if filled.capabilities().subscriptions {
        let mut group = c.benchmark_group("subscribe");
        group.throughput(Throughput::Elements(STORE_LEN));
        group.bench_function(BenchmarkId::new("catch-up-10000", name), |b| {
            b.to_async(rt)
                .iter(|| async { check(workloads::catch_up(&filled, STORE_LEN).await) });
        });
        group.finish();
    }
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
    let schemas = AtomicU32::new(0);
    let fresh = || async {
        let schema = format!(
            "bench_{}_{}",
            std::process::id(),
            schemas.fetch_add(1, Ordering::Relaxed)
        );
        let config = PgStoreConfig::new(url.clone())
            .schema(schema)
            .max_connections(16);
        let store = PgStore::connect(config)
            .await
            .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL at {url}: {error}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|error| panic!("cannot migrate: {error}"));
        store
    };
    let first = rt.block_on(fresh());
    raw_sql(c, &rt, &first);
    provider(c, &rt, "postgres", fresh, false);
    drop(cluster); // stops the server and removes its directory before the process exits
}

/// Plain sqlx statements on the same server, same table shape: the limit to compare with.
fn raw_sql(c: &mut Criterion, rt: &Runtime, store: &postgres_store::PgStore) {
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
