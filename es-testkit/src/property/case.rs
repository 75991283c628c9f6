//! One generated case: run the commands, check after every step, and (on failure) keep a trace
//! to print as a scenario.

use std::{
    fmt::Write as _,
    panic::{AssertUnwindSafe, catch_unwind},
};

use es_core::Aggregate;
use serde::{Serialize, de::DeserializeOwned};

use super::{PropertyCheck, PropertyFailure, PropertyStep, paste::Paste, store::StoreCase};
use crate::{checks, report};

/// Why a case failed, and what happened up to there.
pub(crate) struct CaseFailure {
    /// The index of the command after which a check failed.
    pub(crate) step: Option<usize>,
    pub(crate) reason: String,
    /// One entry per command run: `Command => outcome`, and whether it was accepted.
    pub(crate) trace: Vec<(String, bool)>,
    /// The state when it failed, pretty-printed.
    pub(crate) state: Option<String>,
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a non-text panic)".to_owned())
}

impl<A> PropertyCheck<A>
where
    A: Aggregate + Clone + PartialEq + Serialize + DeserializeOwned,
    A::Event: Clone + PartialEq,
    A::Command: Clone,
{
    /// Runs one case. The trace (Debug text of every step) is only built when asked, so
    /// passing cases stay cheap.
    pub(crate) fn run_case(
        &self,
        history: &[A::Event],
        steps: &[PropertyStep<A::Command>],
        keep_trace: bool,
    ) -> Result<(), CaseFailure> {
        let mut trace = Vec::new();
        let fail = |step: Option<usize>, reason: String, trace: Vec<(String, bool)>, state: &A| {
            CaseFailure {
                step,
                reason,
                trace,
                state: Some(format!("{state:#?}")),
            }
        };
        let (services, clock) = (self.services)();
        let mut state = A::default();
        if let Err(why) = checks::round_trip(history) {
            return Err(fail(None, format!("a history event: {why}"), trace, &state));
        }
        for event in history {
            state.apply(event);
        }
        if let Some(name) = self.broken_invariant(&state) {
            let why = format!("invariant `{name}` does not hold after the history");
            return Err(fail(None, why, trace, &state));
        }
        let mut all: Vec<A::Event> = history.to_vec();
        for (index, step) in steps.iter().enumerate() {
            let command = match step {
                PropertyStep::Command(command) => command,
                PropertyStep::TimePasses(by) => {
                    let Some(clock) = &clock else {
                        let why = "a time step needs a clock to move: build the check with `PropertyCheck::new_with_clock`".to_owned();
                        return Err(fail(Some(index), why, trace, &state));
                    };
                    clock.advance(*by);
                    if keep_trace {
                        trace.push((step.to_string(), true));
                    }
                    continue;
                }
            };
            let before = state.clone();
            let decided = catch_unwind(AssertUnwindSafe(|| state.handle(command, &services)));
            match decided {
                Err(panic) => {
                    if keep_trace {
                        trace.push((format!("{command:?}\n     => panicked"), false));
                    }
                    let why = format!("`handle` panicked: {}", panic_text(&*panic));
                    return Err(fail(Some(index), why, trace, &before));
                }
                Ok(Err(error)) => {
                    if keep_trace {
                        trace.push((format!("{command:?}\n     => rejected: {error}"), false));
                    }
                    if state != before {
                        let why = format!(
                            "a rejected command changed the state\n{}",
                            report::diff(&before, &state)
                                .replace("-expected +actual", "-before +after")
                        );
                        return Err(fail(Some(index), why, trace, &state));
                    }
                }
                Ok(Ok(events)) => {
                    if keep_trace {
                        trace.push((format!("{command:?}\n     => {events:?}"), true));
                    }
                    if let Err(why) =
                        checks::round_trip(&events).and_then(|()| checks::declared(&events))
                    {
                        return Err(fail(Some(index), why, trace, &state));
                    }
                    let applied = catch_unwind(AssertUnwindSafe(|| {
                        for event in &events {
                            state.apply(event);
                        }
                    }));
                    if let Err(panic) = applied {
                        let why = format!("`apply` panicked: {}", panic_text(&*panic));
                        return Err(fail(Some(index), why, trace, &before));
                    }
                    all.extend(events);
                }
            }
            if let Some(name) = self.broken_invariant(&state) {
                let why = format!("invariant `{name}` does not hold");
                return Err(fail(Some(index), why, trace, &state));
            }
        }
        if let Err(why) = checks::deterministic(&state, &all, &[]) {
            return Err(fail(None, why, trace, &state));
        }
        if let Err(why) = snapshot_plus_tail(&state, &all) {
            return Err(fail(None, why, trace, &state));
        }
        if let Some(leg) = &self.through_store {
            let (services, clock) = (self.services)();
            let case = StoreCase {
                history,
                steps,
                expected: &state,
                services: &services,
                clock: clock.as_ref(),
            };
            if let Err((step, why)) = leg(case) {
                return Err(fail(step, why, trace, &state));
            }
        }
        Ok(())
    }

    fn broken_invariant(&self, state: &A) -> Option<&str> {
        self.invariants
            .iter()
            .find(|(_, holds)| !holds(state))
            .map(|(name, _)| name.as_str())
    }
}

/// For every split point k: the state after events[..k], serialized and deserialized (a
/// snapshot), plus events[k..] must give `state`.
fn snapshot_plus_tail<A>(state: &A, events: &[A::Event]) -> Result<(), String>
where
    A: Aggregate + PartialEq + Serialize + DeserializeOwned,
{
    let mut prefix = A::default();
    for split in 0..=events.len() {
        if split > 0 {
            prefix.apply(&events[split - 1]);
        }
        let snapshot = serde_json::to_vec(&prefix)
            .and_then(|json| serde_json::from_slice::<A>(&json))
            .map_err(|error| {
                format!("the state after {split} events does not survive a serde round trip (as a snapshot): {error}")
            })?;
        let mut restored = snapshot;
        for event in &events[split..] {
            restored.apply(event);
        }
        if restored != *state {
            return Err(format!(
                "a snapshot after {split} of {} plus the tail gives a different state than a full replay; the state's Serialize/Deserialize loses something `apply` needs\n{}",
                report::count(events.len()),
                report::diff(state, &restored)
                    .replace("-expected +actual", "-full replay +snapshot+tail")
            ));
        }
    }
    Ok(())
}

impl<A: Aggregate> PropertyFailure<A> {
    pub(crate) fn new(
        paste: &Paste<A>,
        history: Vec<A::Event>,
        steps: Vec<PropertyStep<A::Command>>,
        failure: CaseFailure,
    ) -> Self {
        let commands = steps.iter().filter_map(PropertyStep::command).count();
        let mut out = format!("property check failed: {}\n\n", failure.reason);
        let times = steps.len() - commands;
        let _ = write!(
            out,
            "minimal failing scenario (shrunk by proptest; {} command{}",
            commands,
            if commands == 1 { "" } else { "s" }
        );
        if times > 0 {
            let _ = write!(
                out,
                ", {times} time step{}",
                if times == 1 { "" } else { "s" }
            );
        }
        out.push_str("):\n");
        if history.is_empty() {
            out.push_str("given: no history\n");
        } else {
            let _ = writeln!(out, "given ({}):", report::count(history.len()));
            report::list_abbreviated(&mut out, &history);
        }
        for (index, (line, _)) in failure.trace.iter().enumerate() {
            let marker = if failure.step == Some(index) {
                "   <- fails here"
            } else {
                ""
            };
            let _ = writeln!(out, "when #{index}: {line}{marker}");
        }
        if let Some(state) = &failure.state {
            out.push_str("state:\n");
            for line in state.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out.push_str(&paste.scenario(&history, &steps, &failure.reason));
        Self {
            history,
            steps,
            reason: failure.reason,
            failed_step: failure.step,
            report: out,
        }
    }
}
