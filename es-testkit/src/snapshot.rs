//! insta integration: the produced events as a reviewable YAML snapshot with stable type names.

use es_core::DomainEvent;
use serde::Serialize;

/// One event as a snapshot shows it: its stable type name and its serialized payload.
///
/// ```
/// use es_testkit::example::Event;
/// use es_testkit::snapshot_events;
///
/// let snap = snapshot_events(&[Event::Deposited { amount: 5 }]);
/// assert_eq!(snap[0].event_type, "Deposited");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventSnapshot {
    /// The stable type name ([`DomainEvent::event_type`]).
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// The payload as it is stored (serde's JSON form).
    pub payload: serde_json::Value,
}

/// What a step produced, as a snapshot shows it: `events: [...]` or `rejected: "<message>"`.
///
/// ```
/// # use es_testkit::example::{Account, Command::*};
/// use es_testkit::{Scenario, StepSnapshot};
///
/// let then = Scenario::<Account>::new().when(Withdraw { amount: 1 }).outcome();
/// assert!(matches!(then.snapshot(), StepSnapshot::Rejected(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepSnapshot {
    /// The command was accepted and emitted these events.
    Events(Vec<EventSnapshot>),
    /// The command was rejected with this message.
    Rejected(String),
}

/// The snapshot form of `events`.
///
/// ```
/// use es_testkit::example::Event;
/// let snap = es_testkit::snapshot_events(&[Event::Withdrawn { amount: 5 }]);
/// assert_eq!(snap[0].payload, serde_json::json!({ "Withdrawn": { "amount": 5 } }));
/// ```
pub fn snapshot_events<E: DomainEvent>(events: &[E]) -> Vec<EventSnapshot> {
    events
        .iter()
        .map(|event| EventSnapshot {
            event_type: event.event_type(),
            payload: serde_json::to_value(event).unwrap_or_else(|error| {
                serde_json::Value::String(format!("<does not serialize: {error}>"))
            }),
        })
        .collect()
}

pub(crate) fn snapshot_outcome<E: DomainEvent, R: std::fmt::Display>(
    outcome: &Result<Vec<E>, R>,
) -> StepSnapshot {
    match outcome {
        Ok(events) => StepSnapshot::Events(snapshot_events(events)),
        Err(error) => StepSnapshot::Rejected(error.to_string()),
    }
}

/// Snapshots what a step produced with insta, as YAML: the events with their stable type names,
/// or the rejection message. Takes anything with a `snapshot()` method ([`Then`](crate::Then),
/// [`StoreThen`](crate::StoreThen)) and, like insta's macros, an optional snapshot name first.
///
/// Review and accept new snapshots with `cargo insta review` (or
/// `INSTA_UPDATE=always cargo test`), then commit the `.snap` files.
///
/// ```no_run
/// # use es_testkit::example::{Account, Command::*, Event::*};
/// let then = es_testkit::Scenario::<Account>::new()
///     .given([Deposited { amount: 10 }])
///     .when(Withdraw { amount: 4 })
///     .outcome();
/// es_testkit::assert_events_snapshot!(then);
/// ```
#[macro_export]
macro_rules! assert_events_snapshot {
    ($then:expr $(,)?) => {
        $crate::__private::insta::assert_yaml_snapshot!($then.snapshot())
    };
    ($name:expr, $then:expr $(,)?) => {
        $crate::__private::insta::assert_yaml_snapshot!($name, $then.snapshot())
    };
}
