//! Comparing what a store read back with what the case wrote, and saying how they differ: the
//! same events in another order, events missing or extra, or one event's fields.

use std::collections::HashMap;

use es_core::{EventId, NewEvent, RecordedEvent};

use super::render::{FIELD_JSON, describe, describe_new, list, preview, runs};

/// Asserts that `actual` holds exactly the events of `expected`, in order (payloads compared by
/// JSON meaning). A failure says whether the same events came in another order, which events
/// are missing or extra, or which fields of which event differ, and lists the events with stream,
/// version and position.
#[track_caller]
pub(crate) fn assert_events(actual: &[RecordedEvent], expected: &[NewEvent], what: &str) {
    if let Some(why) = mismatch(actual, expected) {
        panic!("{what}: {why}");
    }
}

/// How `actual` differs from `expected`, or `None` when it holds exactly those events in order.
pub(crate) fn mismatch(actual: &[RecordedEvent], expected: &[NewEvent]) -> Option<String> {
    let matches_in_place = actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(got, new)| got.matches(new));
    if matches_in_place {
        return None;
    }
    let wanted: HashMap<EventId, usize> = expected
        .iter()
        .enumerate()
        .map(|(index, event)| (event.id, index))
        .collect();
    // Each event read back as its number in the expected list (from 1), if it is in it.
    let labels: Vec<Option<usize>> = actual.iter().map(|e| wanted.get(&e.id).copied()).collect();
    let mut seen = vec![false; expected.len()];
    let mut repeated = false;
    for index in labels.iter().flatten() {
        repeated |= std::mem::replace(&mut seen[*index], true);
    }
    let same_set =
        !repeated && actual.len() == expected.len() && labels.iter().all(Option::is_some);
    let label = |index: usize| match labels[index] {
        Some(n) => format!("#{}", n + 1),
        None => "(not expected)".to_owned(),
    };
    let got = list(actual, |index, event| {
        format!("{} {}", label(index), describe(event))
    });
    let listed = format!(
        "\n  expected ({}), in order:{}\n  got ({}):{got}",
        expected.len(),
        list(expected, |index, event| format!(
            "#{} {}",
            index + 1,
            describe_new(event)
        )),
        actual.len()
    );
    if same_set {
        let came: Vec<u64> = labels.iter().flatten().map(|n| *n as u64 + 1).collect();
        let in_order = came.windows(2).all(|pair| pair[0] < pair[1]);
        if !in_order {
            let versions: Vec<u64> = actual.iter().map(|e| e.version.get()).collect();
            let mut out = format!(
                "same events, wrong order: expected {} in that order, came {} \
                 (versions {} in the order read)",
                runs(&(1..=expected.len() as u64).collect::<Vec<_>>(), "#"),
                runs(&came, "#"),
                runs(&versions, "v")
            );
            if let Some(fields) = content_differences(actual, expected, &labels) {
                out.push_str(&format!("; and besides the order, {fields}"));
            }
            out.push_str(&listed);
            return Some(out);
        }
        return content_differences(actual, expected, &labels).map(|fields| fields + &listed);
    }
    let missing: Vec<String> = expected
        .iter()
        .enumerate()
        .filter(|(index, _)| !seen[*index])
        .map(|(index, _)| format!("#{}", index + 1))
        .collect();
    let strangers = labels.iter().filter(|l| l.is_none()).count();
    let mut parts = vec![format!(
        "{} events read back, {} expected",
        actual.len(),
        expected.len()
    )];
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if strangers > 0 {
        parts.push(format!("{strangers} not expected"));
    }
    if repeated {
        parts.push("an event came more than once".to_owned());
    }
    Some(parts.join("; ") + &listed)
}

/// Which fields of which events differ between the events read back and the ones they were
/// written as (matched by id), or `None` when every matched pair agrees.
fn content_differences(
    actual: &[RecordedEvent],
    expected: &[NewEvent],
    labels: &[Option<usize>],
) -> Option<String> {
    let mut differing = actual
        .iter()
        .zip(labels)
        .filter_map(|(got, label)| label.map(|n| (got, n, &expected[n])))
        .filter(|(got, _, new)| !got.matches(new));
    let (got, n, new) = differing.next()?;
    let others = differing.count();
    let mut fields: Vec<(&str, String, String)> = Vec::new();
    if got.event_type != new.event_type {
        fields.push((
            "type",
            got.event_type.to_string(),
            new.event_type.to_string(),
        ));
    }
    if !got.payload.json_eq(&new.payload) {
        fields.push((
            "payload",
            preview(got.payload.as_str(), FIELD_JSON),
            preview(new.payload.as_str(), FIELD_JSON),
        ));
    }
    if got.metadata != new.metadata {
        fields.push(("metadata", json(&got.metadata), json(&new.metadata)));
    }
    let also = match others {
        0 => String::new(),
        1 => " (and 1 more event differs)".to_owned(),
        more => format!(" (and {more} more events differ)"),
    };
    Some(format!(
        "event #{} ({}) differs in {}{also}\n{}",
        n + 1,
        describe(got),
        fields
            .iter()
            .map(|(name, _, _)| *name)
            .collect::<Vec<_>>()
            .join(" and "),
        fields
            .iter()
            .map(|(name, stored, written)| {
                let pad = " ".repeat(name.len());
                format!("  {name} stored:  {stored}\n  {pad} written: {written}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

/// Metadata as its JSON text, cut to a preview.
fn json(metadata: &es_core::Metadata) -> String {
    let text = serde_json::to_string(metadata).unwrap_or_else(|e| format!("<{e}>"));
    preview(&text, FIELD_JSON)
}

#[cfg(test)]
mod tests {
    use es_core::{Metadata, Position, StreamId, Version};

    use super::*;

    fn written(count: usize) -> Vec<NewEvent> {
        super::super::support::batch("t", count)
    }

    fn stored(events: &[NewEvent]) -> Vec<RecordedEvent> {
        let stream = StreamId::new("s").unwrap();
        events
            .iter()
            .enumerate()
            .map(|(n, e)| {
                RecordedEvent::new(
                    e.clone(),
                    stream.clone(),
                    Version::new(n as u64 + 1).unwrap(),
                    Position::new(n as u64),
                    es_core::chrono::Utc::now(),
                )
            })
            .collect()
    }

    #[test]
    fn equal_lists_do_not_differ() {
        let events = written(3);
        assert_eq!(mismatch(&stored(&events), &events), None);
    }

    #[test]
    fn a_reversed_list_is_the_same_events_in_the_wrong_order() {
        let events = written(5);
        let mut read = stored(&events);
        read.reverse();
        let why = mismatch(&read, &events).unwrap();
        assert!(
            why.starts_with(
                "same events, wrong order: expected #1..=#5 in that order, came #5..=#1 \
                 (versions v5..=v1 in the order read)\n"
            ),
            "{why}"
        );
    }

    #[test]
    fn a_lost_event_is_missing_by_number() {
        let events = written(3);
        let read = stored(&events[..2]);
        let why = mismatch(&read, &events).unwrap();
        assert!(
            why.starts_with("2 events read back, 3 expected; missing #3\n"),
            "{why}"
        );
    }

    #[test]
    fn dropped_metadata_names_the_event_and_the_field() {
        let events: Vec<_> = written(2)
            .into_iter()
            .map(|e| e.with_metadata(Metadata::default().with_schema_version(3)))
            .collect();
        let mut read = stored(&events);
        for event in &mut read {
            event.metadata = Metadata::default();
        }
        let why = mismatch(&read, &events).unwrap();
        assert!(
            why.starts_with("event #1 (s v1 @pos 0 type=Numbered id=…"),
            "{why}"
        );
        assert!(
            why.contains(
                ") differs in metadata (and 1 more event differs)\n  \
                 metadata stored:  {}\n           written: {\"schema_version\":3}\n"
            ),
            "{why}"
        );
    }
}
