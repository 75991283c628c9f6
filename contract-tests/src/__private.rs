//! What the macros expand to. Not part of the API: names here may change at any time.

use std::{future::Future, time::Duration};

use crate::{CaseInfo, CaseResult, Outcome};

pub use crate::capabilities::{
    HasCheckpoints, HasLifecycle, HasSnapshots, Implemented, LacksCheckpoints, LacksLifecycle,
    LacksSnapshots, Probe, listed_cover_implemented,
};

/// Which runtime a case needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// One thread is enough: the case does not race tasks.
    Current,
    /// The case races tasks, so it gets worker threads that really run in parallel.
    Multi,
}

/// How long one case may take before it counts as hung (a subscription that never delivers,
/// a lock that is never released).
pub const CASE_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs one case as a test: builds the runtime it needs, fails on a panic or a hang with the
/// message of [`CaseInfo::run`].
pub fn run_case(flavor: Flavor, info: &CaseInfo, case: impl Future<Output = Outcome>) {
    let mut builder = match flavor {
        Flavor::Current => tokio::runtime::Builder::new_current_thread(),
        Flavor::Multi => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(4);
            builder
        }
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => panic!(
            "cannot start a tokio runtime for case {}::{}: {error}",
            info.promise, info.name
        ),
    };
    match runtime.block_on(info.run(case)) {
        CaseResult::Passed => {}
        CaseResult::Failed(message) => panic!("{message}"),
        CaseResult::NotApplicable(needs) => panic!(
            "case {}::{} cannot run here: it needs {needs}",
            info.promise, info.name
        ),
    }
}
