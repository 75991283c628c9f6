//! How a shrunk failure is printed as a scenario: in Debug form by default, or as Rust that
//! compiles when pasted into a test ([`PropertyCheck::paste_as_json`],
//! [`PropertyCheck::paste_with`]).

use std::fmt::Write as _;

use es_core::Aggregate;
use serde::Serialize;

use super::{PropertyCheck, PropertyStep, step};

/// A command as the argument part of a scenario call: `when_json(r#"..."#)` or `when(expr)`.
type CommandCall<A> = Box<dyn Fn(&<A as Aggregate>::Command) -> String + Send + Sync>;

/// How to print a failing case as a scenario.
pub(crate) struct Paste<A: Aggregate> {
    /// Which constructor of the check was used: says how the scenario starts.
    made_with: &'static str,
    /// How the printed scenario starts, when the test named it.
    start: Option<String>,
    /// How commands are printed, when the output is to compile.
    command: Option<CommandCall<A>>,
}

impl<A: Aggregate> Paste<A> {
    pub(crate) fn debug(made_with: &'static str) -> Self {
        Self {
            made_with,
            start: None,
            command: None,
        }
    }

    /// The "as a scenario" part of a failure report.
    pub(crate) fn scenario(
        &self,
        history: &[A::Event],
        steps: &[PropertyStep<A::Command>],
        reason: &str,
    ) -> String {
        let name = std::any::type_name::<A>()
            .rsplit("::")
            .next()
            .unwrap_or(A::NAME);
        let mut out = String::new();
        let compiles = self.command.is_some();
        if compiles {
            out.push_str("as a scenario (compiles when pasted into a test; add the assertion that failed):\n");
        } else {
            out.push_str("as a scenario:\n");
        }
        let start = match (&self.start, self.made_with) {
            (Some(start), _) => start.clone(),
            (None, "new") => format!("es_testkit::Scenario::<{name}>::new()"),
            (None, made_with) => {
                let _ = writeln!(
                    out,
                    "  // `services`: what you gave PropertyCheck::{made_with} (or name it with .paste_start(..))"
                );
                format!("es_testkit::Scenario::<{name}>::{made_with}(services)")
            }
        };
        let _ = writeln!(out, "  {start}");
        if !history.is_empty() {
            if compiles {
                let json = serde_json::to_string(history).unwrap_or_else(|e| format!("{e}"));
                let _ = writeln!(out, "      .given_json({})", raw_string(&json));
            } else {
                let _ = writeln!(out, "      .given({history:?})");
            }
        } else if !compiles {
            out.push_str("      .given_no_history()\n");
        }
        let mut ran_a_command = false;
        for step in steps {
            match step {
                PropertyStep::TimePasses(by) => {
                    if ran_a_command {
                        out.push_str("      .outcome()\n");
                        ran_a_command = false;
                    }
                    let _ = writeln!(out, "      .time_passes({})", step::expression(*by));
                }
                PropertyStep::Command(command) => {
                    if ran_a_command {
                        out.push_str("      .outcome()\n");
                    }
                    let call = match &self.command {
                        Some(call) => call(command),
                        None => format!("when({command:?})"),
                    };
                    let _ = writeln!(out, "      .{call}");
                    ran_a_command = true;
                }
            }
        }
        if ran_a_command {
            out.push_str("      .outcome();\n");
        } else {
            out.push_str("      ;\n");
        }
        let first = reason.lines().next().unwrap_or_default();
        let _ = writeln!(out, "  // the check failed here: {first}");
        if !compiles {
            out.push_str(
                "(Debug form; `.paste_as_json()` on the check prints a scenario that compiles when pasted)\n",
            );
        }
        out
    }
}

/// `text` as a raw string literal, with as many `#` as it needs.
pub(crate) fn raw_string(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

impl<A: Aggregate> PropertyCheck<A> {
    /// Prints a shrunk failure as a scenario that compiles when pasted into a test: events
    /// and commands through serde, as [`Scenario::given_json`](crate::Scenario::given_json)
    /// and [`when_json`](crate::Scenario::when_json) calls, time steps as
    /// [`time_passes`](crate::Scenario::time_passes).
    ///
    /// ```
    /// use es_testkit::example::loan::{Loan, LoanCommand, LoanServices};
    /// use proptest::prelude::*;
    ///
    /// let failure = es_testkit::PropertyCheck::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .invariant("never lent", |loan| loan.lent_at.is_none())
    ///     .paste_as_json()
    ///     .paste_start("Scenario::<Loan>::new_with_clock(LoanServices::with_clock)")
    ///     .deterministic()
    ///     .check(Just(LoanCommand::Lend))
    ///     .unwrap_err();
    /// assert!(failure.to_string().contains(r##".when_json(r#""Lend""#)"##), "{failure}");
    /// ```
    pub fn paste_as_json(mut self) -> Self
    where
        A::Command: Serialize,
    {
        self.paste.command = Some(Box::new(
            |command: &A::Command| match serde_json::to_string(command) {
                Ok(json) => format!("when_json({})", raw_string(&json)),
                Err(error) => format!("when(todo!(\"the command does not serialize: {error}\"))"),
            },
        ));
        self
    }

    /// Prints a shrunk failure's commands with `expression`, which gives each as a Rust
    /// expression (`when(<expression>)`), for a scenario that compiles when pasted; events
    /// are printed through serde as with [`paste_as_json`](PropertyCheck::paste_as_json).
    ///
    /// ```
    /// use es_testkit::example::{Account, Command};
    /// use proptest::prelude::*;
    ///
    /// let failure = es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("balance below 10", |account| account.balance < 10)
    ///     .paste_with(|command| match command {
    ///         Command::Deposit { amount } => format!("Deposit {{ amount: {amount} }}"),
    ///         Command::Withdraw { amount } => format!("Withdraw {{ amount: {amount} }}"),
    ///     })
    ///     .deterministic()
    ///     .check((10..20u64).prop_map(|amount| Command::Deposit { amount }))
    ///     .unwrap_err();
    /// assert!(failure.to_string().contains(".when(Deposit { amount: 10 })"), "{failure}");
    /// ```
    pub fn paste_with(
        mut self,
        expression: impl Fn(&A::Command) -> String + Send + Sync + 'static,
    ) -> Self {
        self.paste.command = Some(Box::new(move |command: &A::Command| {
            format!("when({})", expression(command))
        }));
        self
    }

    /// How the printed scenario starts, for checks whose services the kit cannot name
    /// (default: `es_testkit::Scenario::<A>::new()` for [`new`](PropertyCheck::new), else a
    /// `services` the reader binds).
    ///
    /// ```
    /// use es_testkit::example::{Account, Command};
    /// use proptest::prelude::*;
    ///
    /// let failure = es_testkit::PropertyCheck::<Account>::new_with_services(|| ())
    ///     .invariant("balance below 10", |account| account.balance < 10)
    ///     .paste_start("Scenario::<Account>::new_with_services(())")
    ///     .deterministic()
    ///     .check((10..20u64).prop_map(|amount| Command::Deposit { amount }))
    ///     .unwrap_err();
    /// assert!(failure.to_string().contains("  Scenario::<Account>::new_with_services(())\n"));
    /// ```
    pub fn paste_start(mut self, start: impl Into<String>) -> Self {
        self.paste.start = Some(start.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::raw_string;

    #[test]
    fn raw_strings_take_enough_hashes() {
        assert_eq!(raw_string("a"), "r#\"a\"#");
        assert_eq!(raw_string("say \"#hi\""), "r##\"say \"#hi\"\"##");
    }
}
