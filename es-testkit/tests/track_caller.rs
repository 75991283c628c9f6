//! A failing assertion points at the user's test line, not into the kit (`#[track_caller]`).
//! Alone in its binary because it swaps the process-wide panic hook.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{Arc, Mutex},
};

use es_testkit::{
    Scenario,
    example::{Account, Command::*, Event::*},
};

#[test]
fn failure_points_at_the_test_line() {
    let seen: Arc<Mutex<Option<(String, u32)>>> = Arc::default();
    let record = Arc::clone(&seen);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(location) = info.location() {
            *record.lock().unwrap() = Some((location.file().to_owned(), location.line()));
        }
    }));
    let first = line!() + 3;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let _ = Scenario::<Account>::new()
            .when(Deposit { amount: 1 })
            .then_events([Deposited { amount: 2 }]);
    }));
    let last = line!();
    std::panic::set_hook(previous);
    assert!(outcome.is_err(), "the scenario must fail");
    let (file, line) = seen.lock().unwrap().clone().expect("a panic location");
    assert!(
        file.ends_with("tests/track_caller.rs"),
        "the panic points into {file}"
    );
    assert!(
        (first..last).contains(&line),
        "line {line} is outside the scenario ({first}..{last})"
    );
}
