//! Running the whole suite in one call and rendering the conformance matrix.

use std::{fmt, future::Future};

use crate::{
    __private::CASE_TIMEOUT,
    Outcome,
    failure::{Caught, explain, guarded},
};

crate::__with_cases! { __suite_list {} }

/// One case of the suite: its name, the promise (module of [`crate::cases`]) it checks, that
/// promise in one sentence, and the section it belongs to (`core`, or an optional capability).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseInfo {
    /// The case's name, which is also its function's name (its test is `<promise>::<name>`).
    pub name: &'static str,
    /// The promise it checks: its module in [`crate::cases`].
    pub promise: &'static str,
    /// The promise in one sentence: the `PROMISE` of its module.
    pub promise_text: &'static str,
    /// `core`, `snapshots`, `lifecycle` or `checkpoints`.
    pub section: &'static str,
}

impl CaseInfo {
    /// The case called `name`, if the suite has one.
    pub fn named(name: &str) -> Option<&'static CaseInfo> {
        CASES.iter().find(|case| case.name == name)
    }

    /// Runs `case` (this case's function on a store) as the suite does: a panic or a hang becomes
    /// [`CaseResult::Failed`], whose message leads with the broken promise and says what the
    /// promise is, where the case failed and, below, the events involved.
    ///
    /// ```
    /// use contract_tests::{CaseInfo, CaseResult, cases};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let factory = || async { memory_store::MemoryStore::new() };
    /// let Some(info) = CaseInfo::named("read_stream_forward_in_version_order") else {
    ///     panic!("no such case");
    /// };
    /// let case = cases::read_stream::read_stream_forward_in_version_order(&factory);
    /// assert_eq!(info.run(case).await, CaseResult::Passed);
    /// # });
    /// ```
    pub async fn run(&self, case: impl Future<Output = Outcome>) -> CaseResult {
        match tokio::time::timeout(CASE_TIMEOUT, guarded(case)).await {
            Ok(Ok(Outcome::Passed)) => CaseResult::Passed,
            Ok(Err(Caught { message, location })) => {
                CaseResult::Failed(self.explain(location.as_deref(), &message))
            }
            Err(_) => CaseResult::Failed(self.explain(
                None,
                &format!("did not finish within {CASE_TIMEOUT:?}: the store hangs"),
            )),
        }
    }

    fn explain(&self, location: Option<&str>, why: &str) -> String {
        explain(self.promise, self.promise_text, self.name, location, why)
    }
}

/// How one case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseResult {
    /// The store kept the promise.
    Passed,
    /// The store lacks the capability the case needs.
    NotApplicable(&'static str),
    /// The store broke the promise; the message says how.
    Failed(String),
}

impl CaseResult {
    /// Whether the case failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// One row of a [`Report`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseReport {
    /// The case's name.
    pub name: &'static str,
    /// The promise it checks.
    pub promise: &'static str,
    /// How it ended.
    pub result: CaseResult,
}

/// The outcome of every case of the suite against one store.
///
/// ```
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let factory = || async { MemoryStore::new() };
/// let report = contract_tests::run_suite!(&factory, [snapshots, lifecycle, checkpoints]).await;
/// assert!(report.failed().is_empty(), "{}", report.to_markdown());
/// assert_eq!(report.cases().len(), contract_tests::CASES.len());
///
/// // Leaving out capabilities the store has is a failure, not a quiet pass.
/// let partial = contract_tests::run_suite!(&factory, [checkpoints]).await;
/// assert_eq!(partial.failed(), ["every_implemented_capability_is_listed"]);
/// assert!(partial.not_applicable().contains(&"snapshot_save_and_load"));
/// # });
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    cases: Vec<CaseReport>,
}

impl Report {
    #[doc(hidden)]
    pub fn record(&mut self, name: &'static str, promise: &'static str, result: CaseResult) {
        self.cases.push(CaseReport {
            name,
            promise,
            result,
        });
    }

    /// Every case, in suite order.
    pub fn cases(&self) -> &[CaseReport] {
        &self.cases
    }

    /// The names of the cases that failed.
    pub fn failed(&self) -> Vec<&'static str> {
        self.names(CaseResult::is_failed)
    }

    /// The names of the cases that passed.
    pub fn passed(&self) -> Vec<&'static str> {
        self.names(|r| *r == CaseResult::Passed)
    }

    /// The names of the cases that were not applicable.
    pub fn not_applicable(&self) -> Vec<&'static str> {
        self.names(|r| matches!(r, CaseResult::NotApplicable(_)))
    }

    /// How case `name` ended, if the report has it.
    pub fn result(&self, name: &str) -> Option<&CaseResult> {
        self.cases
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.result)
    }

    fn names(&self, keep: impl Fn(&CaseResult) -> bool) -> Vec<&'static str> {
        self.cases
            .iter()
            .filter(|c| keep(&c.result))
            .map(|c| c.name)
            .collect()
    }

    /// The conformance matrix as a markdown table (case, promise, result), with a summary line.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "{} cases: {} pass, {} fail, {} not applicable\n\n| case | promise | result |\n|---|---|---|\n",
            self.cases.len(),
            self.passed().len(),
            self.failed().len(),
            self.not_applicable().len()
        );
        for case in &self.cases {
            let result = match &case.result {
                CaseResult::Passed => "pass".to_owned(),
                CaseResult::NotApplicable(capability) => {
                    format!("not applicable (needs {capability})")
                }
                CaseResult::Failed(message) => {
                    let first = message.lines().next().unwrap_or_default();
                    format!("**FAIL**: {}", first.replace('|', "\\|"))
                }
            };
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                case.name, case.promise, result
            ));
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_matrix_has_one_row_per_case_and_keeps_the_table_intact() {
        let mut report = Report::default();
        report.record("a_case", "append", CaseResult::Passed);
        report.record(
            "b_case",
            "snapshots",
            CaseResult::NotApplicable("snapshots"),
        );
        report.record(
            "c_case",
            "read_all",
            CaseResult::Failed("expected a | b\nsecond line".to_owned()),
        );
        let markdown = report.to_markdown();
        assert!(markdown.starts_with("3 cases: 1 pass, 1 fail, 1 not applicable\n"));
        assert!(markdown.contains("| `a_case` | append | pass |\n"));
        assert!(markdown.contains("| `b_case` | snapshots | not applicable (needs snapshots) |\n"));
        assert!(markdown.contains("| `c_case` | read_all | **FAIL**: expected a \\| b |\n"));
        assert!(
            !markdown.contains("second line"),
            "a row must stay on one line"
        );
        assert_eq!(report.failed(), vec!["c_case"]);
        assert_eq!(report.not_applicable(), vec!["b_case"]);
    }

    #[test]
    fn every_case_name_is_unique() {
        let mut names: Vec<_> = CASES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a case is listed twice");
        assert!(before >= 60, "the suite has only {before} cases");
    }
}
