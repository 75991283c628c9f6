//! What a scenario costs: 10 given events and 1 command with every built-in check (serde round
//! trip of the emitted event, deterministic replay), against plain Rust doing the same decide +
//! fold + compare by hand. Target: the scenario at most 2 µs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use es_core::Aggregate;
use es_testkit::{
    Scenario,
    example::{Account, Command, Event},
};

fn history() -> Vec<Event> {
    (1..=10).map(|amount| Event::Deposited { amount }).collect()
}

fn scenario_vs_plain(c: &mut Criterion) {
    let history = history();
    let mut group = c.benchmark_group("gwt_10_given_1_command");

    group.bench_function("es_testkit_scenario", |b| {
        b.iter(|| {
            Scenario::<Account>::new()
                .given(black_box(&history).iter().cloned())
                .when(Command::Withdraw { amount: 5 })
                .then_events([Event::Withdrawn { amount: 5 }]);
        });
    });

    group.bench_function("plain_rust_baseline", |b| {
        b.iter(|| {
            let mut account = Account::default();
            for event in black_box(&history) {
                account.apply(event);
            }
            let events = account.handle(&Command::Withdraw { amount: 5 }, &());
            assert_eq!(events, Ok(vec![Event::Withdrawn { amount: 5 }]));
        });
    });

    group.finish();
}

criterion_group!(benches, scenario_vs_plain);
criterion_main!(benches);
