//! Schema evolution: old event shapes are brought up to date on read.

use std::{collections::HashMap, fmt, sync::Arc};

use crate::{Error, EventType, Payload, RecordedEvent};

/// An event's shape as an upcaster sees it: type name, schema version and payload as a value.
#[derive(Clone, Debug, PartialEq)]
pub struct EventShape {
    /// The type name (an upcaster may rename it).
    pub event_type: String,
    /// The payload's schema version.
    pub schema_version: u32,
    /// The payload.
    pub payload: serde_json::Value,
}

type Step = Arc<dyn Fn(EventShape) -> Result<EventShape, String> + Send + Sync>;

/// A chain of upcasters, each turning one (type, schema version) into a newer shape.
///
/// On read, an event whose (type, version) has a registered step is converted, and again,
/// until no step applies. Each step must raise the schema version (or rename the type), so the
/// chain always ends. Events with no step pass through without being parsed.
///
/// ```
/// use es_core::{EventShape, Upcasters};
/// use serde_json::json;
///
/// // Version 1 of "Deposited" had `cents`; version 2 has `amount`.
/// let upcasters = Upcasters::new().register("Deposited", 1, |old| Ok(EventShape {
///     schema_version: 2,
///     payload: json!({ "amount": old.payload["cents"] }),
///     ..old
/// }));
/// let shape = upcasters.upcast_shape(EventShape {
///     event_type: "Deposited".into(), schema_version: 1, payload: json!({ "cents": 5 }),
/// })?;
/// assert_eq!(shape.payload, json!({ "amount": 5 }));
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Upcasters {
    steps: HashMap<(String, u32), Step>,
}

/// The most steps one event may go through; a longer chain means a cycle of renames.
const MAX_STEPS: usize = 64;

impl Upcasters {
    /// No upcasters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the step that converts `event_type` at `from_version`; it replaces any step
    /// registered for the same pair.
    #[must_use]
    pub fn register(
        mut self,
        event_type: &str,
        from_version: u32,
        step: impl Fn(EventShape) -> Result<EventShape, String> + Send + Sync + 'static,
    ) -> Self {
        self.steps
            .insert((event_type.to_owned(), from_version), Arc::new(step));
        self
    }

    /// The stored type names that have a registered step, sorted: old names a reader must also
    /// ask the store for (see [`EventFilter::for_events`](crate::EventFilter::for_events)).
    pub fn stored_types(&self) -> Vec<String> {
        let mut names: Vec<String> = self.steps.keys().map(|(name, _)| name.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether no step is registered.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Runs the chain on one shape until no step applies.
    pub fn upcast_shape(&self, mut shape: EventShape) -> Result<EventShape, Error> {
        for _ in 0..MAX_STEPS {
            let key = (shape.event_type.clone(), shape.schema_version);
            let Some(step) = self.steps.get(&key) else {
                return Ok(shape);
            };
            let fail = |reason: String| Error::Upcast {
                event_type: key.0.clone(),
                schema_version: key.1,
                reason,
            };
            let next = step(shape).map_err(fail)?;
            if next.event_type == key.0 && next.schema_version <= key.1 {
                return Err(fail(format!(
                    "the step returned schema version {}, which is not newer",
                    next.schema_version
                )));
            }
            shape = next;
        }
        Err(Error::Upcast {
            event_type: shape.event_type,
            schema_version: shape.schema_version,
            reason: format!("more than {MAX_STEPS} steps; the chain has a cycle"),
        })
    }

    /// Brings a recorded event up to date; events with no registered step are returned as they
    /// are, without parsing their payload.
    pub fn upcast(&self, mut event: RecordedEvent) -> Result<RecordedEvent, Error> {
        let key = (
            event.event_type.as_str().to_owned(),
            event.metadata.schema_version,
        );
        if !self.steps.contains_key(&key) {
            return Ok(event);
        }
        let shape = self.upcast_shape(EventShape {
            event_type: key.0,
            schema_version: key.1,
            payload: event.decode()?,
        })?;
        event.event_type = EventType::new(&shape.event_type)?;
        event.metadata.schema_version = shape.schema_version;
        event.payload = Payload::from_value(&shape.payload)?;
        Ok(event)
    }
}

impl fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<_> = self.steps.keys().collect();
        keys.sort();
        f.debug_struct("Upcasters").field("steps", &keys).finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shape(event_type: &str, schema_version: u32) -> EventShape {
        EventShape {
            event_type: event_type.into(),
            schema_version,
            payload: json!({}),
        }
    }

    #[test]
    fn upcast_chain_runs_every_step_in_order() {
        let upcasters = Upcasters::new()
            .register("Opened", 1, |s| {
                Ok(EventShape {
                    schema_version: 2,
                    payload: json!({"v": 2}),
                    ..s
                })
            })
            .register("Opened", 2, |s| {
                Ok(EventShape {
                    event_type: "AccountOpened".into(),
                    schema_version: 1,
                    payload: json!({"v": 3}),
                })
                .map(|n| EventShape { ..n })
                .and_then(|n| {
                    if s.payload["v"] == 2 {
                        Ok(n)
                    } else {
                        Err("order".into())
                    }
                })
            });
        let done = upcasters.upcast_shape(shape("Opened", 1)).ok();
        assert_eq!(
            done,
            Some(EventShape {
                event_type: "AccountOpened".into(),
                schema_version: 1,
                payload: json!({"v": 3})
            })
        );
    }

    #[test]
    fn upcast_step_that_does_not_advance_is_an_error() {
        let upcasters = Upcasters::new().register("Opened", 1, Ok);
        assert!(matches!(
            upcasters.upcast_shape(shape("Opened", 1)),
            Err(Error::Upcast {
                schema_version: 1,
                ..
            })
        ));
    }

    #[test]
    fn upcast_rename_cycle_is_an_error() {
        let upcasters = Upcasters::new()
            .register("A", 1, |s| {
                Ok(EventShape {
                    event_type: "B".into(),
                    ..s
                })
            })
            .register("B", 1, |s| {
                Ok(EventShape {
                    event_type: "A".into(),
                    ..s
                })
            });
        let message = upcasters
            .upcast_shape(shape("A", 1))
            .err()
            .map(|e| e.to_string());
        assert!(message.is_some_and(|m| m.contains("cycle")));
    }
}
