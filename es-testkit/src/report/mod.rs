//! Failure messages: what was given, what was asked, what was expected and what happened, with
//! a diff; [`mismatch`] names the differing events and fields.
//!
//! Everything here runs only when an assertion fails, so it may allocate freely.

use std::fmt::{Debug, Display, Write as _};

use es_core::DomainEvent;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

mod mismatch;

pub(crate) use mismatch::{Mismatch, mismatch};

/// The situation a failing assertion describes: history and command of the step.
pub(crate) struct Context<'a, E, C> {
    pub(crate) history: &'a [E],
    pub(crate) command: &'a C,
    /// 1 for the first `when`, 2 for a chained one, ...
    pub(crate) step: usize,
    /// The scenario clock's time when the command ran, when the scenario has a clock.
    pub(crate) now: Option<es_core::chrono::DateTime<es_core::chrono::Utc>>,
}

impl<E: Debug, C: Debug> Context<'_, E, C> {
    /// The shared part of every message: the history and the command.
    pub(crate) fn situation(&self) -> String {
        let mut out = String::new();
        if self.history.is_empty() {
            out.push_str("given: no history\n");
        } else {
            let _ = writeln!(out, "given ({}):", count(self.history.len()));
            list_abbreviated(&mut out, self.history);
        }
        if self.step > 1 {
            let _ = writeln!(out, "when (step {}):", self.step);
        } else {
            out.push_str("when:\n");
        }
        let _ = writeln!(out, "  {:?}", self.command);
        if let Some(now) = self.now {
            let _ = writeln!(out, "at (the scenario's clock):\n  {}", now.to_rfc3339());
        }
        out
    }
}

/// "1 event", "3 events".
pub(crate) fn count(n: usize) -> String {
    if n == 1 {
        "1 event".to_owned()
    } else {
        format!("{n} events")
    }
}

/// One event per line, numbered from #0.
pub(crate) fn list<E: Debug>(out: &mut String, events: &[E]) {
    for (index, event) in events.iter().enumerate() {
        let _ = writeln!(out, "  #{index} {event:?}");
    }
}

/// Histories longer than this are shown as their first and last events.
const HISTORY_SHOWN: usize = 20;

/// Like [`list`], but a long history shows its first 5 and last 10 events: the end is what
/// the command met, the start says how it began.
pub(crate) fn list_abbreviated<E: Debug>(out: &mut String, events: &[E]) {
    if events.len() <= HISTORY_SHOWN {
        list(out, events);
        return;
    }
    let tail = events.len() - 10;
    for (index, event) in events.iter().enumerate().take(5) {
        let _ = writeln!(out, "  #{index} {event:?}");
    }
    let _ = writeln!(out, "  ... {} not shown ...", count(tail - 5));
    for (index, event) in events.iter().enumerate().skip(tail) {
        let _ = writeln!(out, "  #{index} {event:?}");
    }
}

/// The dotted path of the first field where two values' JSON forms differ, with both values.
///
/// Serde's view is the one that is stored, so it names fields as they are persisted. An
/// externally tagged enum's variant wrapper is skipped: the variant is already named.
pub(crate) fn field_difference<T: Serialize + Debug>(
    want: &T,
    got: &T,
) -> (String, String, String) {
    match (serde_json::to_value(want), serde_json::to_value(got)) {
        (Ok(mut a), Ok(mut b)) => {
            let mut path = Vec::new();
            if let (Some(ka), Some(kb)) = (single_key(&a), single_key(&b))
                && ka == kb
            {
                a = a[&ka].take();
                b = b[&ka].take();
                path.push(ka);
            }
            let prefix = path.len();
            match walk(&a, &b, &mut path) {
                Some((x, y)) => {
                    let shown = if path.len() > prefix {
                        path[prefix..].join(".")
                    } else {
                        path.join(".")
                    };
                    (shown, x.to_string(), y.to_string())
                }
                None => debug_difference(want, got),
            }
        }
        _ => debug_difference(want, got),
    }
}

/// The first differing `field: value` line of the two values' pretty Debug forms, for values
/// that serde does not tell apart (skipped fields, lossy types).
fn debug_difference<T: Debug>(want: &T, got: &T) -> (String, String, String) {
    let (a, b) = (format!("{want:#?}"), format!("{got:#?}"));
    let differing = a.lines().zip(b.lines()).find(|(x, y)| x != y);
    match differing {
        Some((x, y)) => {
            let split = |line: &str| {
                let line = line.trim().trim_end_matches(',');
                match line.split_once(": ") {
                    Some((field, value)) => (field.to_owned(), value.to_owned()),
                    None => (String::new(), line.to_owned()),
                }
            };
            let ((field, x), (_, y)) = (split(x), split(y));
            let field = if field.is_empty() {
                "(value)".to_owned()
            } else {
                field
            };
            (field, x, y)
        }
        None => (
            "(value)".to_owned(),
            format!("{want:?}"),
            format!("{got:?}"),
        ),
    }
}

fn single_key(value: &serde_json::Value) -> Option<String> {
    match value.as_object() {
        Some(map) if map.len() == 1 => map.keys().next().cloned(),
        _ => None,
    }
}

fn walk<'v>(
    a: &'v serde_json::Value,
    b: &'v serde_json::Value,
    path: &mut Vec<String>,
) -> Option<(&'v serde_json::Value, &'v serde_json::Value)> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, xv) in x {
                match y.get(key) {
                    Some(yv) if xv == yv => {}
                    Some(yv) => {
                        path.push(key.clone());
                        return walk(xv, yv, path);
                    }
                    None => {
                        path.push(key.clone());
                        return Some((xv, &Value::Null));
                    }
                }
            }
            let (key, yv) = y.iter().find(|(key, _)| !x.contains_key(*key))?;
            path.push(key.clone());
            Some((&Value::Null, yv))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            let index = x.iter().zip(y).position(|(xv, yv)| xv != yv)?;
            path.push(index.to_string());
            walk(&x[index], &y[index], path)
        }
        _ if a == b => None,
        _ => Some((a, b)),
    }
}

/// A line diff of two pretty-printed values, `-` for expected and `+` for actual.
pub(crate) fn diff<T: Debug + ?Sized>(expected: &T, actual: &T) -> String {
    let (old, new) = (format!("{expected:#?}\n"), format!("{actual:#?}\n"));
    let mut out = String::from("diff (-expected +actual):\n");
    for change in TextDiff::from_lines(&old, &new).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        let _ = write!(out, "  {sign} {}", change.value());
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out
}

/// A complete "events differ" message.
pub(crate) fn events_mismatch<E: DomainEvent + PartialEq, C: Debug>(
    assertion: &str,
    context: &Context<'_, E, C>,
    expected: &[E],
    actual: &[E],
    mismatch: &Mismatch,
) -> String {
    let mut out = format!("{assertion} failed: {mismatch}\n\n");
    out.push_str(&context.situation());
    let _ = writeln!(out, "expected ({}):", count(expected.len()));
    list(&mut out, expected);
    let _ = writeln!(out, "actual ({}):", count(actual.len()));
    list(&mut out, actual);
    out.push_str(&diff(expected, actual));
    out
}

/// A message for a command that was rejected when the assertion expected success.
pub(crate) fn unexpected_error<E: Debug, C: Debug, R: Display + Debug>(
    assertion: &str,
    context: &Context<'_, E, C>,
    error: &R,
    expected: &str,
) -> String {
    let mut out = format!("{assertion} failed: the command was rejected, expected {expected}\n\n");
    out.push_str(&context.situation());
    let _ = writeln!(out, "rejected with:\n  {error}\n  ({error:?})");
    out
}

/// A message for a command that succeeded when the assertion expected a rejection.
pub(crate) fn unexpected_success<E: Debug, C: Debug>(
    assertion: &str,
    context: &Context<'_, E, C>,
    events: &[E],
    expected: &str,
) -> String {
    let mut out = format!(
        "{assertion} failed: the command succeeded with {}, expected {expected}\n\n",
        count(events.len())
    );
    out.push_str(&context.situation());
    let _ = writeln!(out, "emitted ({}):", count(events.len()));
    list(&mut out, events);
    out
}

/// A message for a rejection whose `Display` text is not the expected one.
pub(crate) fn error_message_mismatch<E: Debug, C: Debug>(
    context: &Context<'_, E, C>,
    expected: &str,
    actual: &str,
) -> String {
    format!(
        "then_error_message failed: the command was rejected with a different message\n\n{}expected message:\n  {expected}\nactual message:\n  {actual}\n{}",
        context.situation(),
        diff(expected, actual)
    )
}
