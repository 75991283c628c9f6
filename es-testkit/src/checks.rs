//! The checks every scenario makes without being asked: serde round trips, declared event
//! types, deterministic replay, and rejected commands that leave the state alone.
//!
//! They return the failure message instead of panicking so the scenario tester and the
//! property checks can both use them.

use std::fmt::{Debug, Write as _};

use es_core::{Aggregate, DomainEvent, EventType};

use crate::report::{Context, diff, field_difference};

/// Every emitted event must survive serialize + deserialize unchanged and carry a valid type
/// name, or it would not come back from a store as it went in.
pub(crate) fn round_trip<E: DomainEvent + PartialEq>(events: &[E]) -> Result<(), String> {
    for (index, event) in events.iter().enumerate() {
        if let Err(error) = EventType::new(event.event_type()) {
            return Err(format!(
                "event #{index} {event:?} has an invalid type name: {error}"
            ));
        }
        let back = serde_json::to_vec(event)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                serde_json::from_slice::<E>(&json)
                    .map_err(|e| format!("{e} (JSON: {})", String::from_utf8_lossy(&json)))
            });
        match back {
            Ok(back) if back == *event => {}
            Ok(back) => {
                let (path, before, after) = field_difference(event, &back);
                return Err(format!(
                    "event #{index} ({}) does not survive a serde round trip: field `{path}` was {before}, came back as {after}\n  before: {event:?}\n  after:  {back:?}\nfix its Serialize/Deserialize (skipped or renamed fields, lossy types)",
                    event.event_type()
                ));
            }
            Err(error) => {
                return Err(format!(
                    "event #{index} ({}) does not survive a serde round trip: {error}\n  event: {event:?}\nfix its Serialize/Deserialize",
                    event.event_type()
                ));
            }
        }
    }
    Ok(())
}

/// Every emitted event's type name must be listed in [`DomainEvent::EVENT_TYPES`]: readers that
/// ask a store for the aggregate's events by type
/// ([`EventFilter::for_events`](es_core::EventFilter::for_events)) would never see it.
pub(crate) fn declared<E: DomainEvent>(events: &[E]) -> Result<(), String> {
    for (index, event) in events.iter().enumerate() {
        let name = event.event_type();
        if !E::EVENT_TYPES.contains(&name) {
            let owner = std::any::type_name::<E>()
                .rsplit("::")
                .next()
                .unwrap_or("the event type");
            return Err(format!(
                "event #{index} {event:?} has the type name {name:?}, which is not listed in `{owner}::EVENT_TYPES` {:?}\nadd {name:?} to `EVENT_TYPES` in `impl DomainEvent for {owner}`, or readers that ask the store for these events by type never see it",
                E::EVENT_TYPES
            ));
        }
    }
    Ok(())
}

/// Replaying `history` then `emitted` on a fresh state must give `state`: `apply` may depend on
/// nothing but the state and the event.
pub(crate) fn deterministic<A>(
    state: &A,
    history: &[A::Event],
    emitted: &[A::Event],
) -> Result<(), String>
where
    A: Aggregate + PartialEq,
{
    let replayed = A::replay(history.iter().chain(emitted));
    if replayed == *state {
        return Ok(());
    }
    Err(format!(
        "replaying the {} history events and the {} emitted ones on a fresh state gives a different state than the scenario's; `apply` must depend only on the state and the event (no clock, randomness or shared counters)\n{}",
        history.len(),
        emitted.len(),
        diff(state, &replayed).replace("-expected +actual", "-scenario +replayed")
    ))
}

/// A rejected command must leave the state as the history made it (`handle` takes `&self`, so
/// only interior mutability could break this).
pub(crate) fn unchanged<A>(state: &A, history: &[A::Event]) -> Result<(), String>
where
    A: Aggregate + PartialEq,
{
    let replayed = A::replay(history);
    if replayed == *state {
        return Ok(());
    }
    Err(format!(
        "the command was rejected but the state changed; a refused command must change nothing\n{}",
        diff(&replayed, state).replace("-expected +actual", "-before +after")
    ))
}

/// Wraps a built-in check's failure with the step's situation.
pub(crate) fn failed<E: Debug, C: Debug>(
    check: &str,
    context: &Context<'_, E, C>,
    why: &str,
) -> String {
    let mut out = format!("built-in check `{check}` failed\n\n");
    out.push_str(&context.situation());
    let _ = writeln!(out, "{why}");
    out
}
