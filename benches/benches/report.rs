//! The interleaved report: every workload over memory and PostgreSQL, PostgreSQL in alternating
//! rounds with the raw limit on the same server, printed as a table and written to
//! `target/bench-report/report.md` with SVG plots of the concurrency curve (`concurrency.svg`)
//! and of the growth curve (`growth.svg`).
//!
//! `cargo bench -p benches --bench report` (about ten minutes: it seeds a million events for
//! the growth curve); `-- --test` for a smoke pass that writes `smoke.md`, `smoke.svg` and
//! `smoke-growth.svg` instead.

use std::path::PathBuf;

use std::time::{Duration, Instant};

use benches::{
    interleaved::Plan,
    report::{
        Row, catch_up, contention, growth, latency, machine, memory, pgbench, postgres, reads,
        render,
    },
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
    let started = Instant::now();
    let read_all_events = if smoke {
        catch_up::SMOKE_EVENTS
    } else {
        catch_up::EVENTS
    };
    let mut rows: Vec<Row> = runtime
        .block_on(memory_rows(plan, read_all_events))
        .unwrap_or_else(|error| panic!("a memory workload failed: {error}"));
    eprintln!("report: memory rows after {:.0?}", started.elapsed());
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
            let mut pg = postgres::compare(plan, &store)
                .await
                .unwrap_or_else(|error| panic!("a PostgreSQL workload failed: {error}"));
            eprintln!("report: PostgreSQL rows after {:.0?}", started.elapsed());
            pg.push(
                contention::compare(plan, &store)
                    .await
                    .unwrap_or_else(|error| panic!("the contended workload failed: {error}")),
            );
            // pgbench's rows go beside the PostgreSQL writers rows they are the limit of.
            match pgbench::measure(plan, &url, &store).await {
                Ok(Some(bench)) => {
                    let at = pg
                        .iter()
                        .rposition(|row| row.writers.is_some())
                        .map_or(pg.len(), |last| last + 1);
                    pg.splice(at..at, bench);
                }
                Ok(None) => {
                    println!(
                        "pgbench not found (nor beside the server, nor on PATH): no pgbench rows"
                    );
                    header.push("- pgbench: not found, no pgbench rows".to_owned());
                }
                Err(error) => panic!("pgbench failed: {error}"),
            }
            eprintln!("report: pgbench after {:.0?}", started.elapsed());
            pg.extend(
                catch_up::compare(
                    plan,
                    &url,
                    &format!("{}_catchup", store.schema()),
                    read_all_events,
                )
                .await
                .unwrap_or_else(|error| panic!("the catch-up workload failed: {error}")),
            );
            eprintln!("report: catch-up after {:.0?}", started.elapsed());
            let steps: &[u64] = if smoke {
                &growth::SMOKE_STEPS
            } else {
                &growth::STEPS
            };
            pg.extend(
                growth::compare(plan, &url, &format!("{}_growth", store.schema()), steps)
                    .await
                    .unwrap_or_else(|error| panic!("the growth curve failed: {error}")),
            );
            eprintln!("report: growth curve after {:.0?}", started.elapsed());
            rows.extend(pg);
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
        "# Benchmark report\n\n{}\n\nratio: provider events/s over raw events/s in the same round, median over the rounds (events/s and raw events/s are each their own median, so they need not divide to it); spread: half the range of the per-round ratios (or rates) over their median.\n\n{table}\n## Subscription delivery latency\n\nFrom an append acknowledged to its event delivered to a subscription from the head: one timed append every 10 ms for {latency_time:?}, beside a steady load of 4 writers appending one event every 5 ms each (paced, not flat out: a subscriber beside flat-out writers on two cores falls behind for the whole run, and its figure would measure the shortfall, not a delivery's delay).\n\n{}",
        header.join("\n"),
        render::latency_table(&latencies)
    );
    println!("\n{report}");
    let dir = target_dir().join("bench-report");
    let (md, svg, growth_svg) = if smoke {
        ("smoke.md", "smoke.svg", "smoke-growth.svg")
    } else {
        ("report.md", "concurrency.svg", "growth.svg")
    };
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(md), &report))
        .and_then(|()| std::fs::write(dir.join(svg), render::concurrency_svg(&rows)))
        .and_then(|()| std::fs::write(dir.join(growth_svg), render::growth_svg(&rows)));
    match written {
        Ok(()) => println!(
            "written: {}, {} and {} (after {:.0?})",
            dir.join(md).display(),
            dir.join(svg).display(),
            dir.join(growth_svg).display(),
            started.elapsed()
        ),
        Err(error) => panic!("cannot write the report into {}: {error}", dir.display()),
    }
}

/// The memory rows: [`memory::measure`]'s, with the other stream reads beside its 1,000-event
/// one, then read_all over `read_all_events` events and the contended executor.
async fn memory_rows(plan: Plan, read_all_events: u64) -> Result<Vec<Row>, es_core::Error> {
    let mut rows = memory::measure(plan).await?;
    // memory::measure reads the 1,000-event stream; the other lengths go on either side of it.
    let others: Vec<u64> = reads::STREAM_LENGTHS
        .into_iter()
        .filter(|&len| len != 1_000)
        .collect();
    let mut block = reads::memory(plan, &others).await?;
    let thousand = reads::read_workload(1_000);
    match rows.iter().position(|row| row.workload == thousand) {
        Some(at) => {
            let row = rows.remove(at);
            block.insert(others.partition_point(|&len| len < 1_000), row);
            rows.splice(at..at, block);
        }
        None => rows.extend(block),
    }
    rows.push(catch_up::memory(plan, read_all_events).await?);
    rows.push(contention::memory(plan).await?);
    Ok(rows)
}

/// One timed append every 10 ms beside 4 writers appending one event every 5 ms each.
async fn timed_latency<W, R>(
    writer: &W,
    reader: &R,
    time: Duration,
) -> Result<latency::Latency, es_core::Error>
where
    W: es_core::EventWriter + Clone + Send + Sync + 'static,
    R: es_core::EventReader,
{
    latency::measure(
        writer,
        reader,
        Duration::from_millis(10),
        time,
        4,
        Duration::from_millis(5),
    )
    .await
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else the workspace's `target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}
