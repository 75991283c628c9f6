//! What a case reports when it does not fail.

use std::fmt;

/// The result of a case that did not fail: a failing case panics with the broken promise.
///
/// Every case that runs checks something; a case whose capability the store lacks does not run
/// at all (its test is ignored, with the reason, and [`run_suite!`](crate::run_suite!) reports it
/// [`NotApplicable`](crate::CaseResult::NotApplicable)), so no case can quietly turn into a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The store kept the promise.
    Passed,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passed => f.write_str("pass"),
        }
    }
}
