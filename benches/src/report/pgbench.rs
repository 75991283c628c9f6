//! The server's own limit: `pgbench` running the raw one-row insert
//! ([`RawSql::insert_one`](crate::raw_sql::RawSql::insert_one)'s statement, one new stream per
//! transaction) at the writer counts of the concurrency curve, in alternate rounds with the
//! same insert sent through sqlx by as many tokio writers (the writers rows' raw limit): the
//! ratio says what sqlx and tokio cost on top of libpq, measured in the same minutes (on a
//! shared machine, commit latency can move tenfold between minutes).
//!
//! It runs only where a `pgbench` binary is found: next to the server binaries the harness
//! would use, else on `PATH`.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use es_core::Error;
use postgres_store::PgStore;

use super::{Row, postgres};
use crate::{
    interleaved::{Plan, interleave, rate_concurrent},
    raw_sql::RawSql,
};

/// The provider name of the pgbench rows.
pub const PROVIDER: &str = "pgbench";

/// Transactions per client when the plan's per-side time is under pgbench's one-second grain.
const SHORT_TRANSACTIONS: u32 = 10;

/// The name of the pgbench row with `clients` clients.
///
/// ```
/// assert_eq!(
///     benches::report::pgbench::pgbench_workload(4),
///     "pgbench 4 clients, 1 row per transaction to new streams"
/// );
/// ```
pub fn pgbench_workload(clients: usize) -> String {
    let plural = if clients == 1 { "" } else { "s" };
    format!("pgbench {clients} client{plural}, 1 row per transaction to new streams")
}

/// The `pgbench` binary: beside the `initdb` (or `postgres`) found on `PATH` once its links are
/// followed (where the harness takes the server from, so the same version), else in
/// `pg_config --bindir`, else `pgbench` on `PATH`. `None` when there is none.
pub fn find() -> Option<PathBuf> {
    let path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    let beside_server = ["initdb", "postgres"].iter().find_map(|server| {
        path.iter()
            .map(|dir| dir.join(server))
            .filter(|binary| binary.is_file())
            .filter_map(|binary| std::fs::canonicalize(binary).ok())
            .filter_map(|binary| binary.parent().map(|dir| dir.join("pgbench")))
            .find(|pgbench| pgbench.is_file())
    });
    let from_pg_config = || {
        Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| {
                PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()).join("pgbench")
            })
            .filter(|pgbench| pgbench.is_file())
    };
    let on_path = || {
        path.iter()
            .map(|dir| dir.join("pgbench"))
            .find(|pgbench| pgbench.is_file())
    };
    beside_server.or_else(from_pg_config).or_else(on_path)
}

/// The script: `RawSql::insert_one`'s row, to a stream no other transaction uses (the client's
/// number and a random 63-bit number).
fn script(schema: &str) -> String {
    format!(
        "\\set id random(1, 9223372036854775806)\n\
         INSERT INTO \"{schema}\".raw_events (stream_id, version, event_id, event_type, payload, metadata) \
         VALUES ('pgbench-' || :client_id::text || '-' || :id::text, 1, gen_random_uuid(), 'Deposited', \
         '{{\"Deposited\":{{\"amount\":1}}}}'::json, '{{}}'::json);\n"
    )
}

/// pgbench at each of [`postgres::WRITERS`] clients, `plan.rounds` runs of `plan.per_side`
/// each (rounded up to whole seconds; under a second, `SHORT_TRANSACTIONS` transactions per
/// client), against the raw table in `store`'s schema, interleaved with
/// [`RawSql::append_to_new_streams`] from as many writers, a `CHECKPOINT` before every
/// measurement. The rows' raw events/s are the sqlx writers', their ratio pgbench over sqlx. `url` is the store's: it reaches pgbench in its
/// environment (`PGDATABASE`, which libpq expands as a connection string), never on a command
/// line or in the output. `None` when no pgbench binary exists.
///
/// # Errors
///
/// A script that cannot be written, or a pgbench run that failed or printed no tps.
pub async fn measure(plan: Plan, url: &str, store: &PgStore) -> Result<Option<Vec<Row>>, Error> {
    let Some(pgbench) = find() else {
        return Ok(None);
    };
    let raw = RawSql::create(store.pool().clone()).await?;
    let file = std::env::temp_dir().join(format!("es-bench-pgbench-{}.sql", std::process::id()));
    std::fs::write(&file, script(store.schema())).map_err(Error::backend)?;
    let measured = runs(plan, url, store, &raw, &pgbench, &file).await;
    let _ = std::fs::remove_file(&file);
    measured.map(Some)
}

async fn runs(
    plan: Plan,
    url: &str,
    store: &PgStore,
    raw: &RawSql,
    pgbench: &Path,
    file: &Path,
) -> Result<Vec<Row>, Error> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut rows = Vec::with_capacity(postgres::WRITERS.len());
    for clients in postgres::WRITERS {
        let threads = clients.min(cores);
        let rounds = interleave(
            plan,
            || postgres::checkpoint(store),
            |time| {
                let mut command = Command::new(pgbench);
                command
                    .args(["-n", "-M", "prepared", "-c", &clients.to_string()])
                    .args(["-j", &threads.to_string()])
                    .args(length(time))
                    .arg("-f")
                    .arg(file)
                    .env("PGDATABASE", url);
                run(command, url)
            },
            |time| rate_concurrent(clients, time, |_| raw.append_to_new_streams(1)),
        )
        .await?;
        let writers = if clients == 1 { "writer" } else { "writers" };
        rows.push(
            Row::from_rounds(&pgbench_workload(clients), PROVIDER, &rounds)
                .with_writers(clients)
                .with_note(format!(
                    "pgbench -M prepared -j {threads} (libpq) running RawSql::insert_one's INSERT; raw events/s: that INSERT through sqlx from {clients} tokio {writers} in the same rounds; ratio pgbench / sqlx"
                )),
        );
    }
    Ok(rows)
}

/// `-T seconds` for `time` rounded up, or `-t` [`SHORT_TRANSACTIONS`] under a second.
fn length(time: Duration) -> [String; 2] {
    if time < Duration::from_secs(1) {
        ["-t".to_owned(), SHORT_TRANSACTIONS.to_string()]
    } else {
        let seconds = time.as_secs() + u64::from(time.subsec_nanos() > 0);
        ["-T".to_owned(), seconds.to_string()]
    }
}

/// Runs one pgbench (on a blocking thread) and returns its tps.
async fn run(mut command: Command, url: &str) -> Result<f64, Error> {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(Error::backend)?
        .map_err(Error::backend)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tps = stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse::<f64>().ok());
    match tps {
        Some(tps) if output.status.success() => Ok(tps),
        _ => {
            // libpq does not echo passwords, but a URL in the output would carry one.
            let stderr = String::from_utf8_lossy(&output.stderr).replace(url, "<url>");
            Err(Error::Backend {
                message: format!("pgbench failed ({}): {}", output.status, stderr.trim()),
                retryable: false,
                source: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_plans_count_transactions_and_long_ones_whole_seconds() {
        assert_eq!(length(Duration::from_millis(20)), ["-t", "10"]);
        assert_eq!(length(Duration::from_secs(1)), ["-T", "1"]);
        assert_eq!(length(Duration::from_millis(1_500)), ["-T", "2"]);
    }

    #[test]
    fn the_script_inserts_into_the_schemas_raw_table() {
        let script = script("report_1");
        assert!(script.starts_with("\\set id random("));
        assert!(script.contains("INSERT INTO \"report_1\".raw_events (stream_id, version,"));
        assert!(script.contains("'{\"Deposited\":{\"amount\":1}}'::json, '{}'::json);"));
    }
}
