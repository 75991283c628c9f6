//! What a case reports when it does not fail.

use std::fmt;

/// The result of a case that did not fail (a failing case panics with the broken promise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The store kept the promise.
    Passed,
    /// The store does not declare the capability the case needs (e.g. `"snapshots"`), so the
    /// case did not run. Reported by name, never counted as a pass.
    NotApplicable(&'static str),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passed => f.write_str("pass"),
            Self::NotApplicable(capability) => write!(f, "not applicable (needs {capability})"),
        }
    }
}
