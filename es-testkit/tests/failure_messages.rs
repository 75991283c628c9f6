//! Every kind of failure has its own readable message. Each test makes a scenario fail, checks
//! the key facts of the message, and keeps the whole message as an insta snapshot so its
//! quality is reviewed like code.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Drifting, Meddling, Notebook, Undeclared, panic_message};
use es_testkit::example::{Account, AccountError, Command::*, Event::*};
use es_testkit::{ProjectionScenario, PropertyCheck, Scenario};
use insta::assert_snapshot;

#[test]
fn wrong_amount_names_event_and_field() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 100 }])
            .when(Withdraw { amount: 40 })
            .then_events([Withdrawn { amount: 30 }]);
    });
    assert!(
        message.contains("event #0 (Withdrawn) differs at field `amount`: expected 30, got 40")
    );
    assert!(message.contains("#0 Deposited { amount: 100 }"));
    assert!(message.contains("Withdraw { amount: 40 }"));
    assert_snapshot!(message);
}

#[test]
fn wrong_variant_names_both_types() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 100 }])
            .when(Deposit { amount: 30 })
            .then_events([Withdrawn { amount: 30 }]);
    });
    assert!(message.contains("wrong event at #0: expected a Withdrawn, got a Deposited"));
    assert_snapshot!(message);
}

#[test]
fn missing_event_says_which() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Deposit { amount: 30 })
            .then_events([Deposited { amount: 30 }, Deposited { amount: 1 }]);
    });
    assert!(message.contains("missing event #1 (Deposited): expected 2 events, got 1 event"));
    assert_snapshot!(message);
}

#[test]
fn extra_event_says_which() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Deposit { amount: 30 })
            .then_events([]);
    });
    assert!(message.contains("extra event #0 (Deposited): expected 0 events, got 1 event"));
    assert_snapshot!(message);
}

#[test]
fn events_emitted_when_none_expected() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Deposit { amount: 30 })
            .then_no_events();
    });
    assert!(message.starts_with("then_no_events failed: expected no events, got 1 event"));
    assert_snapshot!(message);
}

#[test]
fn unexpected_error_shows_the_rejection() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 10 }])
            .when(Withdraw { amount: 30 })
            .then_events([Withdrawn { amount: 30 }]);
    });
    assert!(message.contains("the command was rejected, expected 1 event"));
    assert!(message.contains("insufficient funds: balance 10, asked for 30"));
    assert_snapshot!(message);
}

#[test]
fn unexpected_success_shows_the_events() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 100 }])
            .when(Withdraw { amount: 30 })
            .then_error(AccountError::InsufficientFunds {
                balance: 100,
                asked: 30,
            });
    });
    assert!(message.contains("the command succeeded with 1 event, expected the error"));
    assert!(message.contains("#0 Withdrawn { amount: 30 }"));
    assert_snapshot!(message);
}

#[test]
fn wrong_error_shows_both() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 10 }])
            .when(Withdraw { amount: 30 })
            .then_error(AccountError::InsufficientFunds {
                balance: 10,
                asked: 20,
            });
    });
    assert!(message.contains("rejected with a different error"));
    assert!(message.contains("asked for 20") && message.contains("asked for 30"));
    assert_snapshot!(message);
}

#[test]
fn wrong_error_message_shows_both() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .when(Withdraw { amount: 3 })
            .then_error_message("not enough money");
    });
    assert!(message.contains("expected message:\n  not enough money"));
    assert_snapshot!(message);
}

#[test]
fn state_mismatch_diffs_the_state() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 10 }])
            .when(Deposit { amount: 5 })
            .then_state(Account { balance: 16 });
    });
    assert!(message.contains("-     balance: 16,") && message.contains("+     balance: 15,"));
    assert_snapshot!(message);
}

#[test]
fn chained_step_shows_its_number_and_full_history() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given([Deposited { amount: 10 }])
            .when(Withdraw { amount: 4 })
            .then_events([Withdrawn { amount: 4 }])
            .when(Withdraw { amount: 4 })
            .then_events([Withdrawn { amount: 5 }]);
    });
    assert!(message.contains("when (step 2):"));
    assert!(message.contains("#1 Withdrawn { amount: 4 }"));
    assert_snapshot!(message);
}

#[test]
fn rejected_given_command_is_explained() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new().given_commands([Withdraw { amount: 1 }]);
    });
    assert!(message.contains("given command #0 was rejected: insufficient funds"));
    assert_snapshot!(message);
}

#[test]
fn lossy_serde_fails_the_round_trip_check() {
    let message = panic_message(|| {
        let _ = Scenario::<Notebook>::new()
            .when("buy milk".to_owned())
            .outcome();
    });
    assert!(message.contains("built-in check `every event survives a serde round trip` failed"));
    assert!(message.contains("field `note` was \"buy milk\", came back as \"\""));
    assert_snapshot!(message);
}

#[test]
fn undeclared_event_type_fails_the_declared_check() {
    let message = panic_message(|| {
        let _ = Scenario::<Undeclared>::new()
            .given([common::LedgerEvent::Opened])
            .when(())
            .outcome();
    });
    assert!(message.contains("built-in check `every event type is declared` failed"));
    assert!(message.contains(
        "the type name \"Closed\", which is not listed in `LedgerEvent::EVENT_TYPES` [\"Opened\"]"
    ));
    assert!(message.contains("add \"Closed\" to `EVENT_TYPES`"));
    assert_snapshot!(message);
}

#[test]
fn declared_event_types_pass_the_check() {
    // The same domain's declared variant passes: the check looks at each emitted name.
    Scenario::<Undeclared>::new()
        .when(())
        .then_events([common::LedgerEvent::Opened]);
}

#[test]
fn nondeterministic_apply_fails_the_replay_check() {
    let message = panic_message(|| {
        let _ = Scenario::<Drifting>::new().when(()).outcome();
    });
    assert!(message.contains("built-in check `replay is deterministic` failed"));
    assert!(message.contains("-scenario +replayed"));
}

#[test]
fn meddling_rejection_fails_the_unchanged_check() {
    let message = panic_message(|| {
        let _ = Scenario::<Meddling>::new().when(()).outcome();
    });
    assert!(message.contains("built-in check `a rejected command changes nothing` failed"));
    assert_snapshot!(message);
}

#[test]
fn projection_mismatch_diffs_the_read_model() {
    let message = panic_message(|| {
        let _ = ProjectionScenario::new(|total: &mut u64, event: &es_testkit::example::Event| {
            if let Deposited { amount } = event {
                *total += amount;
            }
        })
        .given([Deposited { amount: 5 }, Withdrawn { amount: 2 }])
        .then_state(3);
    });
    assert!(message.contains("then_state failed: the read model differs"));
    assert_snapshot!(message);
}

#[test]
fn property_failure_prints_a_scenario() {
    use proptest::prelude::*;
    let failure = PropertyCheck::<Account>::new()
        .invariant("balance below 100", |account| account.balance < 100)
        .deterministic()
        .check((100..200u64).prop_map(|amount| Deposit { amount }))
        .expect_err("a deposit of 100 or more breaks the invariant");
    // The invariant breaks on the first deposit, so shrinking leaves exactly one, of 100.
    assert_eq!(failure.commands(), vec![Deposit { amount: 100 }]);
    assert_eq!(failure.failed_step, Some(0));
    assert_snapshot!(failure.to_string());
}

#[test]
fn long_history_shows_its_start_and_end() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given((1..=40).map(|amount| Deposited { amount }))
            .when(Withdraw { amount: 1 })
            .then_no_events();
    });
    assert!(message.contains("given (40 events):"));
    assert!(message.contains("  #4 Deposited { amount: 5 }\n  ... 25 events not shown ...\n  #30 Deposited { amount: 31 }"));
    assert!(message.contains("#39 Deposited { amount: 40 }"));
    assert!(!message.contains("#5 "));
}

#[test]
fn every_differing_event_is_in_the_headline() {
    let message = panic_message(|| {
        let _ = Scenario::<Account>::new()
            .given_commands([Deposit { amount: 100 }])
            .when(Withdraw { amount: 40 })
            .then_events([Withdrawn { amount: 30 }, Deposited { amount: 5 }]);
    });
    let headline = message.lines().next().unwrap_or_default();
    assert_eq!(
        headline,
        "then_events failed: event #0 (Withdrawn) differs at field `amount`: expected 30, got 40; missing event #1 (Deposited): expected 2 events, got 1 event"
    );
}
