//! What [`bench_main!`](crate::bench_main) expands to. Not part of the API: names here may
//! change at any time.

use std::{
    future::Future,
    path::{Path, PathBuf},
    pin::Pin,
    process::ExitCode,
};

use es_core::{SnapshotStore, testing::StoreFactory};

use crate::{Error, Plan, Report, Result, run::NO_SNAPSHOTS};

/// A run's future, boxed so both probes return the same type.
pub type Run<'a> = Pin<Box<dyn Future<Output = Result<Report>> + 'a>>;

/// The factory, probed for the store's capabilities with autoref specialization: the `Has*`
/// trait applies to `Probe` when the store implements the capability, the `Lacks*` fallback
/// to `&Probe` always, so `(&probe).bench(plan)` picks the former where it can.
#[derive(Debug)]
pub struct Probe<'a, F>(pub &'a F);

/// Picked when the store implements [`SnapshotStore`]: [`run_with_snapshots`](crate::run_with_snapshots).
pub trait HasSnapshots<'a> {
    /// Runs everything, snapshots included.
    fn bench(&self, plan: Plan) -> Run<'a>;
}

impl<'a, F> HasSnapshots<'a> for Probe<'a, F>
where
    F: StoreFactory,
    F::Store: SnapshotStore,
{
    fn bench(&self, plan: Plan) -> Run<'a> {
        Box::pin(crate::run_with_snapshots(self.0, plan))
    }
}

/// The fallback: the store has no snapshots, and the report says so.
pub trait LacksSnapshots<'a> {
    /// Runs everything but the snapshot workloads.
    fn bench(&self, plan: Plan) -> Run<'a>;
}

impl<'a, F: StoreFactory> LacksSnapshots<'a> for &Probe<'a, F> {
    fn bench(&self, plan: Plan) -> Run<'a> {
        Box::pin(crate::run::run_without_snapshots(
            self.0,
            plan,
            NO_SNAPSHOTS,
        ))
    }
}

/// The plan the command line asks for: [`Plan::SMOKE`] with `--test` (`cargo bench -- --test`),
/// else [`Plan::FULL`].
pub fn plan_from<I: IntoIterator<Item = String>>(args: I) -> Plan {
    if args.into_iter().any(|arg| arg == "--test") {
        Plan::SMOKE
    } else {
        Plan::FULL
    }
}

/// A bench target's `main`: runs `bench` on a multi-threaded runtime with the plan from the
/// command line, prints the report and writes it to `target/bench-report/<name>.md`
/// (`<name>-smoke.md` for a smoke run, so it never overwrites real figures).
pub fn main<'a, B>(name: &str, bench: B) -> ExitCode
where
    B: FnOnce(Plan) -> Run<'a>,
{
    match run_and_write(name, bench) {
        Ok(path) => {
            println!("written to {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("es-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_and_write<'a, B>(name: &str, bench: B) -> Result<PathBuf>
where
    B: FnOnce(Plan) -> Run<'a>,
{
    let plan = plan_from(std::env::args().skip(1));
    let smoke = plan == Plan::SMOKE;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    // About 20 workloads: a full run takes a few minutes, so say so before it starts.
    eprintln!(
        "es-bench {name}: every workload, {} rounds of at least {} ms each",
        plan.rounds,
        plan.per_side.as_millis()
    );
    let report = runtime.block_on(bench(plan))?;
    println!("{report}");
    let dir = target_dir().join("bench-report");
    let file = if smoke {
        format!("{name}-smoke.md")
    } else {
        format!("{name}.md")
    };
    let path = dir.join(file);
    let write = |path: &Path| {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(path, format!("# {name}\n\n{report}"))
    };
    write(&path).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else the one the bench binary was built in
/// (`<target>/<profile>/deps/<binary>`), else `target`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let deps = exe.parent()?;
            (deps.file_name()? == "deps")
                .then(|| deps.parent()?.parent().map(Path::to_path_buf))
                .flatten()
        })
        .unwrap_or_else(|| PathBuf::from("target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_flag_asks_for_the_smoke_plan() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            plan_from(args(&["--bench", "--test"])).rounds,
            Plan::SMOKE.rounds
        );
        assert_eq!(plan_from(args(&["--bench"])).rounds, Plan::FULL.rounds);
    }
}
