//! What a report's numbers were measured on: the machine, the date and the server's settings.

use es_core::chrono::Utc;
use postgres_store::PgStore;

/// The machine and the date, one line each (`- cpu: ...`).
///
/// ```
/// let lines = benches::report::machine::describe();
/// assert!(lines.iter().any(|line| line.starts_with("- date: ")));
/// ```
pub fn describe() -> Vec<String> {
    let cpu = first_value("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = first_value("/proc/meminfo", "MemTotal")
        .and_then(|kb| kb.trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |kb| format!("{} GiB", kb / (1 << 20)),
        );
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    vec![
        format!("- machine: {cpu}, {cores} cores, {memory}, {os}"),
        format!("- date: {} UTC", Utc::now().format("%Y-%m-%d %H:%M")),
    ]
}

/// The server's version and the settings that decide write costs, one line each.
///
/// # Errors
///
/// When the server cannot be asked.
pub async fn postgres(store: &PgStore) -> Result<Vec<String>, es_core::Error> {
    let ask = |sql: &'static str| async move {
        sqlx::query_scalar::<_, String>(sql)
            .fetch_one(store.pool())
            .await
            .map_err(es_core::Error::backend)
    };
    let version = ask("SELECT version()").await?;
    let version = version.split(" on ").next().unwrap_or(&version).to_owned();
    Ok(vec![format!(
        "- server: {version}; fsync {}, synchronous_commit {}, shared_buffers {}, max_connections {}",
        ask("SHOW fsync").await?,
        ask("SHOW synchronous_commit").await?,
        ask("SHOW shared_buffers").await?,
        ask("SHOW max_connections").await?,
    )])
}

fn first_value(path: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            (name.trim() == key).then(|| value.trim().to_owned())
        })
}
