//! Helpers shared by the kit's own tests: catching a failing scenario's message, and small
//! aggregates that break one promise each.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::atomic::{AtomicU64, Ordering},
};

use es_core::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// Runs `scenario`, which must panic, and returns its message.
#[track_caller]
pub fn panic_message(scenario: impl FnOnce()) -> String {
    let payload =
        catch_unwind(AssertUnwindSafe(scenario)).expect_err("the scenario should have failed");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .expect("a text panic message")
}

/// An event that loses its `note` on the way through serde.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum NoteEvent {
    Noted {
        id: u32,
        #[serde(skip)]
        note: String,
    },
}

impl DomainEvent for NoteEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Noted"];

    fn event_type(&self) -> &'static str {
        "Noted"
    }
}

/// An aggregate whose events do not survive serde.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Notebook {
    pub notes: Vec<String>,
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("the notebook is full")]
pub struct Full;

impl Aggregate for Notebook {
    const NAME: &'static str = "notebook";
    type Command = String;
    type Event = NoteEvent;
    type Error = Full;
    type Services = ();

    fn handle(&self, note: &String, (): &()) -> Result<Vec<NoteEvent>, Full> {
        Ok(vec![NoteEvent::Noted {
            id: 1,
            note: note.clone(),
        }])
    }

    fn apply(&mut self, NoteEvent::Noted { note, .. }: &NoteEvent) {
        self.notes.push(note.clone());
    }
}

static TICKS: AtomicU64 = AtomicU64::new(0);

/// An aggregate whose `apply` reads a global counter: replay is not deterministic.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drifting {
    pub seen: u64,
}

impl Aggregate for Drifting {
    const NAME: &'static str = "drifting";
    type Command = ();
    type Event = es_testkit::example::Event;
    type Error = Full;
    type Services = ();

    fn handle(&self, (): &(), (): &()) -> Result<Vec<Self::Event>, Full> {
        Ok(vec![es_testkit::example::Event::Deposited { amount: 1 }])
    }

    fn apply(&mut self, _: &Self::Event) {
        self.seen = TICKS.fetch_add(1, Ordering::SeqCst);
    }
}

/// An aggregate whose `handle` counts rejections in its own state (interior mutability):
/// a rejected command changes it.
#[derive(Debug, Default)]
pub struct Meddling {
    pub rejections: AtomicU64,
}

impl PartialEq for Meddling {
    fn eq(&self, other: &Self) -> bool {
        self.rejections.load(Ordering::SeqCst) == other.rejections.load(Ordering::SeqCst)
    }
}

impl Aggregate for Meddling {
    const NAME: &'static str = "meddling";
    type Command = ();
    type Event = es_testkit::example::Event;
    type Error = Full;
    type Services = ();

    fn handle(&self, (): &(), (): &()) -> Result<Vec<Self::Event>, Full> {
        self.rejections.fetch_add(1, Ordering::SeqCst);
        Err(Full)
    }

    fn apply(&mut self, _: &Self::Event) {}
}

/// Events whose `EVENT_TYPES` forgets one of the names `event_type` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LedgerEvent {
    Opened,
    Closed,
}

impl DomainEvent for LedgerEvent {
    // Deliberately wrong: "Closed" is missing.
    const EVENT_TYPES: &'static [&'static str] = &["Opened"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Opened => "Opened",
            Self::Closed => "Closed",
        }
    }
}

/// A ledger that closes when open and opens when closed: half of what it emits is undeclared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Undeclared {
    pub open: bool,
}

impl Aggregate for Undeclared {
    const NAME: &'static str = "ledger";
    type Command = ();
    type Event = LedgerEvent;
    type Error = Full;
    type Services = ();

    fn handle(&self, (): &(), (): &()) -> Result<Vec<LedgerEvent>, Full> {
        Ok(vec![if self.open {
            LedgerEvent::Closed
        } else {
            LedgerEvent::Opened
        }])
    }

    fn apply(&mut self, event: &LedgerEvent) {
        self.open = *event == LedgerEvent::Opened;
    }
}
