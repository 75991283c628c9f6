//! The scenario tester on passing scenarios: every given, when and then form, services, and
//! the synchronous API inside an async test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::panic_message;
use es_core::{
    Aggregate, DomainEvent,
    chrono::{DateTime, Duration, Utc},
    uuid::Uuid,
};
use es_testkit::{
    Clock, IdSource, Scenario, SequentialIds, TestClock, assert_events_snapshot,
    example::{Account, AccountError, Command::*, Event::*},
};
use serde::{Deserialize, Serialize};

#[test]
fn given_when_then_events() {
    Scenario::<Account>::new()
        .given([Deposited { amount: 100 }])
        .when(Withdraw { amount: 30 })
        .then_events([Withdrawn { amount: 30 }]);
}

#[test]
fn given_commands_build_the_history() {
    let then = Scenario::<Account>::new()
        .given_commands([Deposit { amount: 10 }, Withdraw { amount: 4 }])
        .when(Deposit { amount: 1 })
        .then_events([Deposited { amount: 1 }]);
    assert_eq!(
        then.history(),
        [Deposited { amount: 10 }, Withdrawn { amount: 4 }]
    );
    assert_eq!(then.state().balance, 7);
}

#[test]
fn errors_by_value_message_and_predicate() {
    Scenario::<Account>::new()
        .given_no_history()
        .when(Withdraw { amount: 3 })
        .then_error(AccountError::InsufficientFunds {
            balance: 0,
            asked: 3,
        })
        .then_error_message("insufficient funds: balance 0, asked for 3")
        .then_error_matches(|e| matches!(e, AccountError::InsufficientFunds { asked: 3, .. }))
        .then_state(Account { balance: 0 });
}

#[test]
fn chained_steps_see_the_previous_state() {
    Scenario::<Account>::new()
        .given([Deposited { amount: 10 }])
        .when(Withdraw { amount: 6 })
        .then_events([Withdrawn { amount: 6 }])
        .when(Withdraw { amount: 6 })
        .then_error_matches(|e| matches!(e, AccountError::InsufficientFunds { balance: 4, .. }))
        .when(Withdraw { amount: 4 })
        .then_events([Withdrawn { amount: 4 }])
        .then_state(Account { balance: 0 });
}

#[test]
fn inspect_events_sees_what_was_emitted() {
    let mut seen = 0;
    let _ = Scenario::<Account>::new()
        .when(Deposit { amount: 2 })
        .inspect_events(|events| seen = events.len());
    assert_eq!(seen, 1);
}

#[test]
fn predicate_failures_are_reported() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Deposit { amount: 2 })
            .then_state_matches(|a| a.balance == 3);
    });
    assert!(message.contains("then_state_matches failed"));
    assert!(message.contains("balance: 2"));
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Withdraw { amount: 2 })
            .then_error_matches(|_| false);
    });
    assert!(message.contains("then_error_matches failed"));
}

#[tokio::test]
async fn works_inside_a_tokio_test() {
    Scenario::<Account>::new()
        .given([Deposited { amount: 1 }])
        .when(Withdraw { amount: 1 })
        .then_events([Withdrawn { amount: 1 }]);
}

#[test]
fn produced_events_snapshot_as_yaml() {
    let then = Scenario::<Account>::new()
        .given([Deposited { amount: 10 }])
        .when(Withdraw { amount: 4 })
        .outcome();
    assert_events_snapshot!(then);
    let rejected = Scenario::<Account>::new()
        .when(Withdraw { amount: 4 })
        .outcome();
    assert_events_snapshot!("rejected_withdrawal", rejected);
}

// A membership whose renewal depends on the clock and whose ids come from a source: the
// services the kit ships make both testable.

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum PassEvent {
    Issued { pass: Uuid, until: DateTime<Utc> },
}

impl DomainEvent for PassEvent {
    const EVENT_TYPES: &'static [&'static str] = &["PassIssued"];

    fn event_type(&self) -> &'static str {
        "PassIssued"
    }
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("the current pass is valid until {0}; renew after it expires")]
struct StillValid(DateTime<Utc>);

#[derive(Debug, Default)]
struct PassServices {
    clock: TestClock,
    ids: SequentialIds,
}

#[derive(Debug, Default, PartialEq)]
struct Membership {
    until: Option<DateTime<Utc>>,
}

impl Aggregate for Membership {
    const NAME: &'static str = "membership";
    type Command = ();
    type Event = PassEvent;
    type Error = StillValid;
    type Services = PassServices;

    fn handle(&self, (): &(), services: &PassServices) -> Result<Vec<PassEvent>, StillValid> {
        let now = services.clock.now();
        match self.until {
            Some(until) if until > now => Err(StillValid(until)),
            _ => Ok(vec![PassEvent::Issued {
                pass: services.ids.next_id(),
                until: now + Duration::days(30),
            }]),
        }
    }

    fn apply(&mut self, PassEvent::Issued { until, .. }: &PassEvent) {
        self.until = Some(*until);
    }
}

#[test]
fn clock_advances_between_steps_and_ids_are_predictable() {
    let clock = TestClock::new();
    let start = clock.now();
    Scenario::<Membership>::new()
        .with_services(PassServices {
            clock: clock.clone(),
            ids: SequentialIds::new(),
        })
        .when(())
        .then_events([PassEvent::Issued {
            pass: SequentialIds::nth(1),
            until: start + Duration::days(30),
        }])
        .when(())
        .then_error(StillValid(start + Duration::days(30)))
        .update_services(|services| services.clock.advance(Duration::days(31)))
        .when(())
        .then_events([PassEvent::Issued {
            pass: SequentialIds::nth(2),
            until: start + Duration::days(61),
        }]);
}
