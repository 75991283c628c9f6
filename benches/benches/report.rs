//! The interleaved report: every workload over memory and PostgreSQL, PostgreSQL in alternating
//! rounds with the raw limit on the same server, printed as a table and written to
//! `target/bench-report/report.md` with an SVG plot of the concurrency curve.
//!
//! `cargo bench -p benches --bench report` (a few minutes); `-- --test` for a smoke pass that
//! writes `smoke.md` and `smoke.svg` instead.

use std::path::PathBuf;

use std::time::Duration;

use benches::{
    interleaved::Plan,
    report::{Row, latency, machine, memory, postgres, render},
};
use postgres_store::{PgStore, PgStoreConfig, harness::LocalCluster};

fn main() {
    let smoke = std::env::args().any(|arg| arg == "--test");
    // `cargo bench -p benches -- append` passes its filter to every bench target: the report
    // runs only when no filter is given or one names it.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    if !filters.is_empty()
        && !filters
            .iter()
            .any(|filter| "report".contains(filter.as_str()))
    {
        println!("report: skipped (filtered out by {filters:?})");
        return;
    }
    let plan = if smoke { Plan::SMOKE } else { Plan::FULL };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("cannot start a tokio runtime for the report: {error}"),
    };
    let mut header = machine::describe();
    header.push(format!(
        "- plan: {} rounds of {:?} per side; PostgreSQL and its raw limit alternate, provider first in even rounds; CHECKPOINT before each measurement",
        plan.rounds, plan.per_side
    ));
    let mut rows: Vec<Row> = runtime
        .block_on(memory::measure(plan))
        .unwrap_or_else(|error| panic!("a memory workload failed: {error}"));
    let latency_time = if smoke {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(10)
    };
    let mut latencies = Vec::new();
    let store = memory_store::MemoryStore::new();
    latencies.push((
        "memory, same store".to_owned(),
        runtime
            .block_on(timed_latency(&store, &store, latency_time))
            .unwrap_or_else(|error| panic!("memory latency failed: {error}")),
    ));

    // PostgreSQL: `DATABASE_URL` when set, else a throwaway cluster with PostgreSQL's durable
    // defaults (fsync and synchronous commit on, as users run it).
    let (url, cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (Some(url), None),
        Err(_) => match LocalCluster::start_durable() {
            Ok(cluster) => (Some(cluster.url("postgres")), Some(cluster)),
            Err(error) => {
                eprintln!(
                    "PostgreSQL rows left out: {error}\n(set DATABASE_URL, or put PostgreSQL's binaries on PATH: scripts/ensure-postgres installs them)"
                );
                header.push(format!("- PostgreSQL: not measured ({error})"));
                (None, None)
            }
        },
    };
    if let Some(url) = url {
        runtime.block_on(async {
            let config = PgStoreConfig::new(&url)
                .schema(format!("report_{}", std::process::id()))
                .max_connections(72);
            let store = PgStore::connect(config)
                .await
                .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL: {error}"));
            store
                .migrate()
                .await
                .unwrap_or_else(|error| panic!("cannot migrate: {error}"));
            header.extend(
                machine::postgres(&store)
                    .await
                    .unwrap_or_else(|error| panic!("cannot read the server's settings: {error}")),
            );
            rows.extend(
                postgres::compare(plan, &store)
                    .await
                    .unwrap_or_else(|error| panic!("a PostgreSQL workload failed: {error}")),
            );
            let reader =
                PgStore::connect(PgStoreConfig::new(&url).schema(store.schema().to_owned()))
                    .await
                    .unwrap_or_else(|error| panic!("cannot connect a second pool: {error}"));
            for (name, reader) in [
                ("postgres, same store", &store),
                ("postgres, another pool (woken by NOTIFY)", &reader),
            ] {
                let measured = timed_latency(&store, reader, latency_time)
                    .await
                    .unwrap_or_else(|error| panic!("PostgreSQL latency failed: {error}"));
                latencies.push((name.to_owned(), measured));
            }
        });
    }
    drop(cluster); // stops the server and removes its directory

    let table = render::markdown_table(&rows);
    let report = format!(
        "# Benchmark report\n\n{}\n\nratio: provider events/s over raw events/s in the same round, median over the rounds (events/s and raw events/s are each their own median, so they need not divide to it); spread: half the range of the per-round ratios (or rates) over their median.\n\n{table}\n## Subscription delivery latency\n\nFrom an append acknowledged to its event delivered to a subscription from the head: one timed append every 10 ms for {latency_time:?}, beside 4 writers appending as fast as they can.\n\n{}",
        header.join("\n"),
        render::latency_table(&latencies)
    );
    println!("\n{report}");
    let dir = target_dir().join("bench-report");
    let (md, svg) = if smoke {
        ("smoke.md", "smoke.svg")
    } else {
        ("report.md", "concurrency.svg")
    };
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(md), &report))
        .and_then(|()| std::fs::write(dir.join(svg), render::concurrency_svg(&rows)));
    match written {
        Ok(()) => println!(
            "written: {} and {}",
            dir.join(md).display(),
            dir.join(svg).display()
        ),
        Err(error) => panic!("cannot write the report into {}: {error}", dir.display()),
    }
}

/// One timed append every 10 ms beside 4 writers appending as fast as they can.
async fn timed_latency<W, R>(
    writer: &W,
    reader: &R,
    time: Duration,
) -> Result<latency::Latency, es_core::Error>
where
    W: es_core::EventWriter + Clone + Send + Sync + 'static,
    R: es_core::EventReader,
{
    latency::measure(writer, reader, Duration::from_millis(10), time, 4).await
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else the workspace's `target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}
