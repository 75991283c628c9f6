//! The steps of a generated sequence: commands, and the time steps interleaved with them.

use std::fmt;

use es_core::chrono::Duration;

/// One step of a sequence a [`PropertyCheck`](crate::PropertyCheck) generates: a command, or
/// time passing on the check's clock (see
/// [`PropertyCheck::time_steps`](crate::PropertyCheck::time_steps)).
///
/// ```
/// use es_core::chrono::Duration;
/// use es_testkit::{PropertyStep, example::loan::LoanCommand};
///
/// let steps = [
///     PropertyStep::Command(LoanCommand::Lend),
///     PropertyStep::TimePasses(Duration::days(15)),
///     PropertyStep::Command(LoanCommand::Return),
/// ];
/// assert_eq!(steps[1].to_string(), "time passes: 15 days");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum PropertyStep<C> {
    /// Run this command on the state the steps before left.
    Command(C),
    /// Move the clock forward by this much before the next command.
    TimePasses(Duration),
}

impl<C> PropertyStep<C> {
    /// The command of this step, if it is one.
    ///
    /// ```
    /// use es_testkit::PropertyStep;
    ///
    /// assert_eq!(PropertyStep::Command(7).command(), Some(&7));
    /// assert_eq!(PropertyStep::<u8>::TimePasses(Default::default()).command(), None);
    /// ```
    pub fn command(&self) -> Option<&C> {
        match self {
            Self::Command(command) => Some(command),
            Self::TimePasses(_) => None,
        }
    }
}

impl<C: fmt::Debug> fmt::Display for PropertyStep<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command(command) => write!(f, "{command:?}"),
            Self::TimePasses(by) => write!(f, "time passes: {}", human(*by)),
        }
    }
}

/// "15 days", "3 hours", "90 seconds", "1 day 2 hours": whole units, largest first.
pub(crate) fn human(by: Duration) -> String {
    let seconds = by.num_seconds();
    let sign = if seconds < 0 { "-" } else { "" };
    let seconds = seconds.unsigned_abs();
    let units = [
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let mut rest = seconds;
    let mut parts = Vec::new();
    for (size, name) in units {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            let plural = if count == 1 { "" } else { "s" };
            parts.push(format!("{count} {name}{plural}"));
        }
    }
    if parts.is_empty() {
        format!("{} ms", by.num_milliseconds())
    } else {
        format!("{sign}{}", parts.join(" "))
    }
}

/// The Rust expression of a duration, through the kit's re-export of chrono.
pub(crate) fn expression(by: Duration) -> String {
    let path = "es_testkit::chrono::Duration";
    let seconds = by.num_seconds();
    if by.subsec_nanos() != 0 {
        return format!("{path}::milliseconds({})", by.num_milliseconds());
    }
    for (size, unit) in [(86_400, "days"), (3_600, "hours"), (60, "minutes")] {
        if seconds % size == 0 {
            return format!("{path}::{unit}({})", seconds / size);
        }
    }
    format!("{path}::seconds({seconds})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_whole_units() {
        assert_eq!(human(Duration::days(15)), "15 days");
        assert_eq!(human(Duration::hours(26)), "1 day 2 hours");
        assert_eq!(human(Duration::seconds(-61)), "-1 minute 1 second");
        assert_eq!(human(Duration::milliseconds(5)), "5 ms");
    }

    #[test]
    fn durations_print_as_the_largest_whole_unit() {
        assert_eq!(
            expression(Duration::days(2)),
            "es_testkit::chrono::Duration::days(2)"
        );
        assert_eq!(
            expression(Duration::minutes(90)),
            "es_testkit::chrono::Duration::minutes(90)"
        );
        assert_eq!(
            expression(Duration::seconds(61)),
            "es_testkit::chrono::Duration::seconds(61)"
        );
        assert_eq!(
            expression(Duration::milliseconds(1_500)),
            "es_testkit::chrono::Duration::milliseconds(1500)"
        );
    }
}
