//! Time as a step: a rule that depends on the clock is reached only when the property check
//! interleaves time steps with its commands, and the shrunk failure prints a scenario that
//! compiles when pasted (it is pasted below, verbatim, and fails the same way).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use es_core::{
    Aggregate, Clock, DomainEvent,
    chrono::{DateTime, Duration, Utc},
};
use es_testkit::{PropertyCheck, PropertyStep, Scenario, TestClock};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// Days a rental may last without a fee.
const FREE_DAYS: i64 = 14;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum RentalCommand {
    Rent,
    Return,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum RentalEvent {
    Rented { at: DateTime<Utc> },
    Returned { at: DateTime<Utc>, fee: i64 },
}

impl DomainEvent for RentalEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Rented", "Returned"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Rented { .. } => "Rented",
            Self::Returned { .. } => "Returned",
        }
    }
}

#[derive(Debug, PartialEq, thiserror::Error)]
enum RentalError {
    #[error("already rented")]
    AlreadyRented,
    #[error("not rented")]
    NotRented,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Rental {
    rented_at: Option<DateTime<Utc>>,
    days_kept: i64,
    last_fee: i64,
}

impl Aggregate for Rental {
    const NAME: &'static str = "rental";
    type Command = RentalCommand;
    type Event = RentalEvent;
    type Error = RentalError;
    type Services = TestClock;

    fn handle(
        &self,
        command: &RentalCommand,
        clock: &TestClock,
    ) -> Result<Vec<RentalEvent>, RentalError> {
        let at = clock.now();
        match (command, self.rented_at) {
            (RentalCommand::Rent, Some(_)) => Err(RentalError::AlreadyRented),
            (RentalCommand::Rent, None) => Ok(vec![RentalEvent::Rented { at }]),
            (RentalCommand::Return, None) => Err(RentalError::NotRented),
            (RentalCommand::Return, Some(rented_at)) => {
                let days = (at - rented_at).num_days();
                // The planted bug: a late return is charged one day too many (it should be
                // `days - FREE_DAYS`). Only a rental kept past 14 days meets it.
                let fee = if days > FREE_DAYS {
                    days - FREE_DAYS + 1
                } else {
                    0
                };
                Ok(vec![RentalEvent::Returned { at, fee }])
            }
        }
    }

    fn apply(&mut self, event: &RentalEvent) {
        match event {
            RentalEvent::Rented { at } => self.rented_at = Some(*at),
            RentalEvent::Returned { at, fee } => {
                if let Some(rented_at) = self.rented_at.take() {
                    self.days_kept = (*at - rented_at).num_days();
                }
                self.last_fee = *fee;
            }
        }
    }
}

/// The promise the planted bug breaks.
fn fee_is_one_per_late_day(rental: &Rental) -> bool {
    rental.last_fee == (rental.days_kept - FREE_DAYS).max(0)
}

fn rental_command() -> impl Strategy<Value = RentalCommand> {
    prop_oneof![Just(RentalCommand::Rent), Just(RentalCommand::Return)]
}

fn rental_check() -> PropertyCheck<Rental> {
    PropertyCheck::<Rental>::new_with_clock(|clock| clock)
        .invariant("the fee is one per day late", fee_is_one_per_late_day)
        .paste_as_json()
        .paste_start("Scenario::<Rental>::new_with_clock(|clock| clock)")
        .deterministic()
}

#[test]
fn without_time_steps_the_late_fee_is_never_reached() {
    // Every command meets the same instant: no rental is ever late, the bug stays hidden.
    rental_check()
        .cases(512)
        .check(rental_command())
        .expect("no time passes, so no fee is charged at all");
}

#[test]
fn time_steps_find_the_late_fee_and_shrink_it() {
    let failure = rental_check()
        .time_steps((1..=40i64).prop_map(Duration::days))
        .check(rental_command())
        .expect_err("the planted bug overcharges a late return");
    assert!(
        failure.reason.contains("the fee is one per day late"),
        "{failure}"
    );
    // Shrunk to the shortest story: rent, keep it one day too long, return.
    assert_eq!(
        failure.steps,
        vec![
            PropertyStep::Command(RentalCommand::Rent),
            PropertyStep::TimePasses(Duration::days(15)),
            PropertyStep::Command(RentalCommand::Return),
        ],
        "{failure}"
    );
    assert_eq!(
        failure.commands(),
        vec![RentalCommand::Rent, RentalCommand::Return]
    );
    assert_eq!(failure.failed_step, Some(2));
    insta::assert_snapshot!(failure.to_string());
}

/// The scenario part of the failure above, pasted as printed; only the assertion that failed
/// (the invariant) is added at the end.
#[test]
#[should_panic(expected = "then_state_matches failed")]
fn the_printed_failure_compiles_when_pasted_and_fails_the_same_way() {
    Scenario::<Rental>::new_with_clock(|clock| clock)
        .when_json(r#""Rent""#)
        .outcome()
        .time_passes(es_testkit::chrono::Duration::days(15))
        .when_json(r#""Return""#)
        .outcome()
        .then_state_matches(fee_is_one_per_late_day);
}

#[test]
fn the_pasted_scenario_is_the_printed_one() {
    let failure = rental_check()
        .time_steps((1..=40i64).prop_map(Duration::days))
        .check(rental_command())
        .expect_err("the planted bug overcharges a late return");
    let printed = failure.to_string();
    let scenario: Vec<&str> = printed
        .lines()
        .skip_while(|line| !line.starts_with("as a scenario"))
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.trim().trim_end_matches(';'))
        .collect();
    assert!(scenario.len() >= 5, "{printed}");
    let source = include_str!("time_steps.rs");
    let pasted: Vec<&str> = source
        .lines()
        .skip_while(|line| !line.contains("fn the_printed_failure_compiles_when_pasted"))
        .skip(1)
        .take(scenario.len())
        .map(str::trim)
        .collect();
    assert_eq!(
        pasted, scenario,
        "the test above must hold the printed scenario verbatim"
    );
}

#[test]
fn a_time_step_before_the_first_when_moves_the_clock_the_services_read() {
    Scenario::<Rental>::new_with_clock(|clock| clock)
        .given([RentalEvent::Rented {
            at: TestClock::start(),
        }])
        .time_passes(Duration::days(20))
        .when(RentalCommand::Return)
        .then_events([RentalEvent::Returned {
            at: TestClock::start() + Duration::days(20),
            fee: 7, // the planted bug's answer: 20 - 14 + 1
        }]);
}

#[test]
#[should_panic(expected = "time_passes failed: the scenario has no clock to move")]
fn a_time_step_without_a_clock_fails_loudly() {
    let _ = Scenario::<Rental>::new_with_services(TestClock::new()).time_passes(Duration::days(1));
}

#[test]
fn a_failure_names_the_time_of_the_step() {
    let outcome = std::panic::catch_unwind(|| {
        Scenario::<Rental>::new_with_clock(|clock| clock)
            .time_passes(Duration::hours(3))
            .when(RentalCommand::Return)
            .then_no_events();
    });
    let message = outcome
        .expect_err("returning what was never rented is rejected")
        .downcast::<String>()
        .expect("a formatted message");
    assert!(
        message.contains("at (the scenario's clock):\n  2024-01-01T12:00:00+00:00"),
        "{message}"
    );
}

#[test]
fn time_steps_without_a_clock_fail_before_the_first_case() {
    let failure = PropertyCheck::<Rental>::new_with_services(TestClock::new)
        .time_steps(Just(Duration::days(1)))
        .check(rental_command())
        .expect_err("nothing could move the rental's clock");
    assert!(
        failure.reason.contains("time steps need a clock to move"),
        "{failure}"
    );
    assert!(failure.steps.is_empty());
}
