//! Time as a step: the scenario keeps the [`TestClock`] its services read, so a test can let
//! time pass (or set it) before the first `when` and between any two steps, the way Axon's
//! `andThenTimeElapses` does.

use es_core::{
    Clock,
    chrono::{DateTime, Duration, Utc},
};

use crate::TestClock;

/// The clock a scenario may hold: `None` until the test gives one.
pub(crate) type ScenarioClock = Option<TestClock>;

/// What to do when a time step meets a scenario without a clock.
const NO_CLOCK: &str = "the scenario has no clock to move: build it with `new_with_clock(|clock| services_reading(clock))`, or give it the TestClock your services read with `.with_clock(clock.clone())`";

/// Moves the scenario's clock forward by `by` (back, when negative).
///
/// # Panics
///
/// When the scenario has no clock: the step could not reach the aggregate.
#[track_caller]
pub(crate) fn pass(clock: &ScenarioClock, step: &str, by: Duration) {
    match clock {
        Some(clock) => clock.advance(by),
        None => panic!("{step} failed: {NO_CLOCK}"),
    }
}

/// Sets the scenario's clock to `now`.
///
/// # Panics
///
/// When the scenario has no clock.
#[track_caller]
pub(crate) fn set(clock: &ScenarioClock, step: &str, now: DateTime<Utc>) {
    match clock {
        Some(clock) => clock.set(now),
        None => panic!("{step} failed: {NO_CLOCK}"),
    }
}

/// The time a step ran at, for failure messages.
pub(crate) fn now(clock: &ScenarioClock) -> Option<DateTime<Utc>> {
    clock.as_ref().map(Clock::now)
}
