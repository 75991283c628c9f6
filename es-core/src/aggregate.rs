//! The typed layer: domain events and aggregates as pure deciders.

use std::fmt::Debug;

use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, EventType, Metadata, NewEvent, Payload, RecordedEvent};

/// An event of the domain: serializable, with a stable type name per variant.
///
/// The whole value is serialized as the payload; [`event_type`](DomainEvent::event_type) is
/// stored beside it so readers, upcasters and projections can tell events apart without
/// deserializing them.
///
/// ```
/// use es_core::DomainEvent;
///
/// #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
/// enum AccountEvent {
///     Opened { owner: String },
///     Deposited { amount: u64 },
/// }
///
/// impl DomainEvent for AccountEvent {
///     const EVENT_TYPES: &'static [&'static str] = &["AccountOpened", "AccountDeposited"];
///
///     fn event_type(&self) -> &'static str {
///         match self {
///             Self::Opened { .. } => "AccountOpened",
///             Self::Deposited { .. } => "AccountDeposited",
///         }
///     }
/// }
///
/// let new = AccountEvent::Deposited { amount: 5 }.to_new_event(Default::default())?;
/// assert_eq!(new.event_type.as_str(), "AccountDeposited");
/// # Ok::<(), es_core::Error>(())
/// ```
pub trait DomainEvent: Serialize + DeserializeOwned + Debug + Send + Sync + 'static {
    /// The payload shape version written with new events; raise it when the shape changes and
    /// register an upcaster for the old one.
    const SCHEMA_VERSION: u32 = 1;

    /// Every name [`event_type`](DomainEvent::event_type) can return, so that readers can ask a
    /// store for only these events (see [`EventFilter::for_events`](crate::EventFilter::for_events)).
    /// The test kit checks that every emitted event's name is listed.
    const EVENT_TYPES: &'static [&'static str];

    /// The stable name of this event's variant.
    fn event_type(&self) -> &'static str;

    /// Serializes this event into a [`NewEvent`] with a fresh id and the given metadata (whose
    /// schema version is set to [`Self::SCHEMA_VERSION`]).
    fn to_new_event(&self, metadata: Metadata) -> Result<NewEvent, Error> {
        Ok(NewEvent::new(
            EventType::new(self.event_type())?,
            Payload::from_value(self)?,
        )
        .with_metadata(metadata.with_schema_version(Self::SCHEMA_VERSION)))
    }

    /// Deserializes a stored (and already upcast) event; [`Error::Decode`] names the stream,
    /// version, type and schema version when it does not fit.
    fn from_recorded(event: &RecordedEvent) -> Result<Self, Error> {
        event.decode()
    }
}

/// An aggregate as a pure, synchronous decider.
///
/// [`handle`](Aggregate::handle) looks at the current state and a command and decides which
/// events happen (or refuses with a domain error); [`apply`](Aggregate::apply) folds one event
/// into the state. Neither does I/O, so a scenario runs in microseconds without a runtime.
/// What a decision needs from outside (a clock, a price list) comes in as
/// [`Services`](Aggregate::Services).
///
/// ```
/// use es_core::{Aggregate, DomainEvent};
///
/// #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
/// enum Event { Deposited { amount: u64 } }
/// impl DomainEvent for Event {
///     const EVENT_TYPES: &'static [&'static str] = &["Deposited"];
///     fn event_type(&self) -> &'static str { "Deposited" }
/// }
///
/// #[derive(Debug)]
/// enum Command { Deposit { amount: u64 } }
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("amount must be positive")]
/// struct ZeroAmount;
///
/// #[derive(Debug, Default)]
/// struct Account { balance: u64 }
///
/// impl Aggregate for Account {
///     const NAME: &'static str = "account";
///     type Command = Command;
///     type Event = Event;
///     type Error = ZeroAmount;
///     type Services = ();
///
///     fn handle(&self, command: &Command, _: &()) -> Result<Vec<Event>, ZeroAmount> {
///         match *command {
///             Command::Deposit { amount: 0 } => Err(ZeroAmount),
///             Command::Deposit { amount } => Ok(vec![Event::Deposited { amount }]),
///         }
///     }
///
///     fn apply(&mut self, event: &Event) {
///         match event { Event::Deposited { amount } => self.balance += amount }
///     }
/// }
///
/// let mut account = Account::default();
/// for event in account.handle(&Command::Deposit { amount: 7 }, &()).unwrap() {
///     account.apply(&event);
/// }
/// assert_eq!(account.balance, 7);
/// ```
pub trait Aggregate: Default + Debug + Send + Sync + 'static {
    /// A short name of the aggregate's kind, used in traces and messages.
    const NAME: &'static str;
    /// What the aggregate can be asked to do.
    type Command: Debug + Send + Sync;
    /// What can happen to it.
    type Event: DomainEvent;
    /// Why it may refuse a command.
    type Error: std::error::Error + Send + Sync + 'static;
    /// What its decisions need from outside (`()` when nothing).
    type Services: Send + Sync;

    /// Decides which events `command` causes in the current state, or refuses it.
    fn handle(
        &self,
        command: &Self::Command,
        services: &Self::Services,
    ) -> Result<Vec<Self::Event>, Self::Error>;

    /// Folds one event into the state. Must not fail: the event already happened.
    fn apply(&mut self, event: &Self::Event);

    /// Folds events into a fresh state.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }
}
