//! The property checks pass on a correct aggregate and catch each broken promise.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use es_core::{Aggregate, DomainEvent};
use es_testkit::{
    PropertyCheck,
    example::{Account, Command, Event},
    fake_data::fake_with,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

fn account_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (1..100u64).prop_map(|amount| Command::Deposit { amount }),
        (1..100u64).prop_map(|amount| Command::Withdraw { amount }),
    ]
}

#[test]
fn correct_aggregate_passes_every_check() {
    PropertyCheck::<Account>::new()
        .invariant("balance fits in memory", |a| a.balance < u64::MAX / 2)
        .cases(128)
        .run(account_command());
}

#[tokio::test]
async fn store_leg_passes_inside_an_async_test() {
    PropertyCheck::<Account>::new()
        .through_store()
        .cases(16)
        .run_with_history(
            prop::collection::vec(
                (1..50u64).prop_map(|amount| Event::Deposited { amount }),
                0..4,
            ),
            account_command(),
        );
}

#[test]
fn store_leg_takes_a_fresh_store_from_the_factory_per_case() {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let created = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&created);
    PropertyCheck::<Account>::new()
        .through_store_factory(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { memory_store::MemoryStore::new() }
        })
        .cases(8)
        .run(account_command());
    assert_eq!(created.load(Ordering::SeqCst), 8, "one store per case");
}

#[test]
fn store_leg_on_a_shared_store_is_caught() {
    // A factory that hands out the same store twice breaks the promise of a fresh store: the
    // second case finds the first one's history.
    let shared = memory_store::MemoryStore::new();
    let failure = PropertyCheck::<Account>::new()
        .through_store_factory(move || {
            let store = shared.clone();
            async move { store }
        })
        .deterministic()
        .cases(8)
        .check_sequences(Just(vec![Event::Deposited { amount: 1 }]), Just(Vec::new()))
        .expect_err("the second case cannot append its history to a used stream");
    assert!(
        failure
            .reason
            .contains("through the store: appending the history failed"),
        "{failure}"
    );
}

#[test]
fn fake_data_inside_strategies() {
    use fake::faker::number::raw::NumberWithFormat;
    use fake::locales::EN;
    // A deposit amount written the way a teller types it: "###" digits.
    let typed_amount =
        fake_with::<String, _>(NumberWithFormat(EN, "1##")).prop_map(|text| Command::Deposit {
            amount: text.parse().unwrap(),
        });
    PropertyCheck::<Account>::new()
        .invariant("only deposits of 100..=199 happened", |a| {
            a.balance == 0 || a.balance >= 100
        })
        .cases(32)
        .run(typed_amount);
}

// A tally whose state forgets `last` in its snapshot form: snapshot + tail differs from replay.

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum TallyEvent {
    Counted { by: u32 },
}

impl DomainEvent for TallyEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Counted"];

    fn event_type(&self) -> &'static str {
        "Counted"
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Tally {
    total: u32,
    #[serde(skip)]
    last: u32,
}

impl Aggregate for Tally {
    const NAME: &'static str = "tally";
    type Command = u32;
    type Event = TallyEvent;
    type Error = common::Full;
    type Services = ();

    fn handle(&self, by: &u32, (): &()) -> Result<Vec<TallyEvent>, common::Full> {
        Ok(vec![TallyEvent::Counted { by: *by }])
    }

    fn apply(&mut self, TallyEvent::Counted { by }: &TallyEvent) {
        self.total += by;
        self.last = *by;
    }
}

#[test]
fn lossy_state_fails_snapshot_plus_tail() {
    let failure = PropertyCheck::<Tally>::new()
        .deterministic()
        .check(1..10u32)
        .expect_err("the state's serde form loses `last`");
    assert!(failure.reason.contains("a snapshot after"), "{failure}");
    // One count is enough: a snapshot after it restores `last` as 0.
    assert_eq!(failure.commands(), vec![1]);
}

#[test]
fn broken_serde_event_fails_the_round_trip() {
    let failure = PropertyCheck::<common::Notebook>::new()
        .deterministic()
        .check("[a-z]{1,4}")
        .expect_err("notes are lost by serde");
    assert!(
        failure
            .reason
            .contains("does not survive a serde round trip"),
        "{failure}"
    );
    assert_eq!(failure.commands().len(), 1);
}

#[test]
fn meddling_rejection_is_caught() {
    let failure = PropertyCheck::<Meddle>::new()
        .deterministic()
        .check(Just(()))
        .expect_err("a rejection changes the state");
    assert!(
        failure
            .reason
            .contains("a rejected command changed the state"),
        "{failure}"
    );
    assert_eq!(failure.failed_step, Some(0));
}

// `common::Meddling` holds an atomic, which is not Clone/Serialize; this one is.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Meddle {
    rejections: std::sync::atomic::AtomicU32,
}

impl Clone for Meddle {
    fn clone(&self) -> Self {
        Self {
            rejections: self
                .rejections
                .load(std::sync::atomic::Ordering::SeqCst)
                .into(),
        }
    }
}

impl PartialEq for Meddle {
    fn eq(&self, other: &Self) -> bool {
        self.rejections.load(std::sync::atomic::Ordering::SeqCst)
            == other.rejections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Aggregate for Meddle {
    const NAME: &'static str = "meddle";
    type Command = ();
    type Event = Event;
    type Error = common::Full;
    type Services = ();

    fn handle(&self, (): &(), (): &()) -> Result<Vec<Event>, common::Full> {
        self.rejections
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(common::Full)
    }

    fn apply(&mut self, _: &Event) {}
}

// An aggregate that emits more events per command than one append may hold: every in-memory
// check passes, and only the store leg sees the store refuse the batch.

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Bulk {
    count: u32,
}

impl Aggregate for Bulk {
    const NAME: &'static str = "bulk";
    type Command = u32;
    type Event = TallyEvent;
    type Error = common::Full;
    type Services = ();

    fn handle(&self, n: &u32, (): &()) -> Result<Vec<TallyEvent>, common::Full> {
        Ok((0..*n).map(|_| TallyEvent::Counted { by: 1 }).collect())
    }

    fn apply(&mut self, TallyEvent::Counted { by }: &TallyEvent) {
        self.count += by;
    }
}

#[test]
fn store_leg_catches_what_memory_cannot() {
    let in_memory = PropertyCheck::<Bulk>::new()
        .deterministic()
        .cases(4)
        .max_commands(1)
        .check(Just(1_001u32));
    assert!(in_memory.is_ok(), "in memory, 1001 events are fine");

    let failure = PropertyCheck::<Bulk>::new()
        .through_store()
        .deterministic()
        .cases(4)
        .max_commands(1)
        .check(Just(1_001u32))
        .expect_err("the store refuses more than 1000 events in one append");
    assert!(
        failure
            .reason
            .contains("through the store: the store failed"),
        "{failure}"
    );
    assert!(
        failure.reason.contains("over this store's limit of 1000"),
        "{failure}"
    );
    assert_eq!(failure.commands(), vec![1_001]);
}
