//! How two event lists differ: every differing event and field, for the headline of a failure.

use std::fmt::{self, Display};

use es_core::DomainEvent;
use serde_json::Value;

use super::count;

/// How many differences a headline names before it counts the rest.
const NAMED: usize = 3;

/// One differing position of two event lists.
#[derive(Debug, PartialEq)]
pub(crate) enum Difference {
    /// Different event types at `index`.
    WrongVariant {
        index: usize,
        expected: &'static str,
        actual: &'static str,
    },
    /// The same event type with different fields: each as (path, expected, actual).
    Fields {
        index: usize,
        event_type: &'static str,
        fields: Vec<(String, String, String)>,
    },
    /// An expected event that did not come.
    Missing {
        index: usize,
        event_type: &'static str,
    },
    /// An event that came but was not expected.
    Extra {
        index: usize,
        event_type: &'static str,
    },
}

/// Every difference between two event lists, and their lengths.
#[derive(Debug, PartialEq)]
pub(crate) struct Mismatch {
    pub(crate) differences: Vec<Difference>,
    expected_len: usize,
    actual_len: usize,
}

/// How `expected` and `actual` differ, or `None` when they are equal.
pub(crate) fn mismatch<E: DomainEvent + PartialEq>(
    expected: &[E],
    actual: &[E],
) -> Option<Mismatch> {
    let mut differences = Vec::new();
    for (index, (want, got)) in expected.iter().zip(actual).enumerate() {
        if want == got {
            continue;
        }
        if want.event_type() != got.event_type() {
            differences.push(Difference::WrongVariant {
                index,
                expected: want.event_type(),
                actual: got.event_type(),
            });
            continue;
        }
        let mut fields = field_differences(want, got);
        if fields.is_empty() {
            fields.push(super::field_difference(want, got));
        }
        differences.push(Difference::Fields {
            index,
            event_type: want.event_type(),
            fields,
        });
    }
    let shared = expected.len().min(actual.len());
    differences.extend(
        expected
            .iter()
            .enumerate()
            .skip(shared)
            .map(|(index, event)| Difference::Missing {
                index,
                event_type: event.event_type(),
            }),
    );
    differences.extend(
        actual
            .iter()
            .enumerate()
            .skip(shared)
            .map(|(index, event)| Difference::Extra {
                index,
                event_type: event.event_type(),
            }),
    );
    (!differences.is_empty()).then_some(Mismatch {
        differences,
        expected_len: expected.len(),
        actual_len: actual.len(),
    })
}

/// Every leaf where the serde forms of two values differ, as (dotted path, expected, actual);
/// an externally tagged enum's variant wrapper is skipped (the variant is already named).
fn field_differences<T: serde::Serialize>(want: &T, got: &T) -> Vec<(String, String, String)> {
    let (Ok(mut a), Ok(mut b)) = (serde_json::to_value(want), serde_json::to_value(got)) else {
        return Vec::new();
    };
    if let (Some(ka), Some(kb)) = (single_key(&a), single_key(&b))
        && ka == kb
    {
        a = a[&ka].take();
        b = b[&ka].take();
    }
    let mut out = Vec::new();
    walk_all(&a, &b, &mut Vec::new(), &mut out);
    out
}

fn single_key(value: &Value) -> Option<String> {
    match value.as_object() {
        Some(map) if map.len() == 1 => map.keys().next().cloned(),
        _ => None,
    }
}

fn walk_all(a: &Value, b: &Value, path: &mut Vec<String>, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        _ if a == b => {}
        (Value::Object(x), Value::Object(y)) => {
            for (key, xv) in x {
                path.push(key.clone());
                walk_all(xv, y.get(key).unwrap_or(&Value::Null), path, out);
                path.pop();
            }
            for (key, yv) in y.iter().filter(|(key, _)| !x.contains_key(*key)) {
                path.push(key.clone());
                walk_all(&Value::Null, yv, path, out);
                path.pop();
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (index, (xv, yv)) in x.iter().zip(y).enumerate() {
                path.push(index.to_string());
                walk_all(xv, yv, path, out);
                path.pop();
            }
        }
        _ => {
            let shown = if path.is_empty() {
                "(value)".to_owned()
            } else {
                path.join(".")
            };
            out.push((shown, a.to_string(), b.to_string()));
        }
    }
}

impl Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongVariant {
                index,
                expected,
                actual,
            } => write!(
                f,
                "wrong event at #{index}: expected a {expected}, got a {actual}"
            ),
            Self::Fields {
                index,
                event_type,
                fields,
            } => match fields.as_slice() {
                [(path, expected, actual)] => write!(
                    f,
                    "event #{index} ({event_type}) differs at field `{path}`: expected {expected}, got {actual}"
                ),
                _ => {
                    write!(f, "event #{index} ({event_type}) differs at fields ")?;
                    for (n, (path, expected, actual)) in fields.iter().enumerate() {
                        let sep = if n == 0 { "" } else { ", " };
                        write!(f, "{sep}`{path}` (expected {expected}, got {actual})")?;
                    }
                    Ok(())
                }
            },
            Self::Missing { index, event_type } => {
                write!(f, "missing event #{index} ({event_type})")
            }
            Self::Extra { index, event_type } => write!(f, "extra event #{index} ({event_type})"),
        }
    }
}

impl Display for Mismatch {
    /// The first [`NAMED`] differences, then how many more; then the lengths when they differ.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, difference) in self.differences.iter().take(NAMED).enumerate() {
            let sep = if n == 0 { "" } else { "; " };
            write!(f, "{sep}{difference}")?;
        }
        let rest = self.differences.len().saturating_sub(NAMED);
        if rest > 0 {
            let plural = if rest == 1 { "" } else { "s" };
            write!(f, "; and {rest} more difference{plural}")?;
        }
        if self.expected_len != self.actual_len {
            write!(
                f,
                ": expected {}, got {}",
                count(self.expected_len),
                count(self.actual_len)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::Event::{self, *};

    fn headline(expected: &[Event], actual: &[Event]) -> String {
        mismatch(expected, actual)
            .map(|m| m.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn equal_lists_do_not_differ() {
        assert_eq!(
            mismatch(&[Deposited { amount: 1 }], &[Deposited { amount: 1 }]),
            None
        );
    }

    #[test]
    fn every_differing_event_is_named_up_to_three_then_counted() {
        let expected: Vec<Event> = (1..=5).map(|amount| Deposited { amount }).collect();
        let actual: Vec<Event> = (11..=15).map(|amount| Deposited { amount }).collect();
        assert_eq!(
            headline(&expected, &actual),
            "event #0 (Deposited) differs at field `amount`: expected 1, got 11; \
             event #1 (Deposited) differs at field `amount`: expected 2, got 12; \
             event #2 (Deposited) differs at field `amount`: expected 3, got 13; \
             and 2 more differences"
        );
    }

    #[test]
    fn a_missing_or_extra_event_is_named_with_its_type() {
        assert_eq!(
            headline(
                &[Deposited { amount: 1 }, Withdrawn { amount: 1 }],
                &[Deposited { amount: 1 }]
            ),
            "missing event #1 (Withdrawn): expected 2 events, got 1 event"
        );
        assert_eq!(
            headline(&[], &[Deposited { amount: 3 }]),
            "extra event #0 (Deposited): expected 0 events, got 1 event"
        );
        assert_eq!(
            headline(
                &[Withdrawn { amount: 1 }],
                &[Deposited { amount: 1 }, Deposited { amount: 2 }]
            ),
            "wrong event at #0: expected a Withdrawn, got a Deposited; extra event #1 (Deposited): expected 1 event, got 2 events"
        );
    }

    #[test]
    fn every_differing_field_of_an_event_is_named() {
        let fields = field_differences(
            &serde_json::json!({"Moved": {"from": 1, "to": 2, "by": "a"}}),
            &serde_json::json!({"Moved": {"from": 1, "to": 3, "by": "b"}}),
        );
        assert_eq!(
            fields,
            vec![
                ("by".to_owned(), "\"a\"".to_owned(), "\"b\"".to_owned()),
                ("to".to_owned(), "2".to_owned(), "3".to_owned()),
            ]
        );
    }
}
