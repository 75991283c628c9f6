//! Events as failure messages show them: one compact line each, lists cut short in the middle,
//! orders as runs of labels.

use es_core::{EventId, NewEvent, RecordedEvent};

/// How many events a list shows before it elides the middle.
const LIST_LIMIT: usize = 12;

/// How many runs an order shows before it elides the rest.
const RUN_LIMIT: usize = 16;

/// How much of a payload a line naming an event shows.
const LINE_JSON: usize = 60;

/// How much of a payload or metadata a line about that one field shows.
pub(crate) const FIELD_JSON: usize = 400;

/// An id as messages show it: its last eight hex digits, which are random in a UUID v7 (the
/// first ones are the time, the same for every event of a case).
pub(crate) fn short_id(id: &EventId) -> String {
    let hex = id.as_uuid().simple().to_string();
    format!("…{}", &hex[hex.len().saturating_sub(8)..])
}

/// One line naming a stored event: `stream v3 @pos 17 type=Deposited id=…1a2b3c4d`.
pub(crate) fn describe(event: &RecordedEvent) -> String {
    format!(
        "{} v{} @pos {} type={} id={}",
        event.stream_id,
        event.version,
        event.position,
        event.event_type,
        short_id(&event.id)
    )
}

/// One line naming an event to append: `type=Deposited id=…1a2b3c4d payload={…}`.
pub(crate) fn describe_new(event: &NewEvent) -> String {
    format!(
        "type={} id={} payload={}",
        event.event_type,
        short_id(&event.id),
        preview(event.payload.as_str(), LINE_JSON)
    )
}

/// JSON text cut to its first `chars` characters.
pub(crate) fn preview(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
        None => text.to_owned(),
    }
}

/// `items` one per line, each indented and rendered by `line`; a long list keeps its first and
/// last few and says how many it left out.
pub(crate) fn list<T>(items: &[T], line: impl Fn(usize, &T) -> String) -> String {
    let mut out = String::new();
    let half = LIST_LIMIT / 2;
    for (index, item) in items.iter().enumerate() {
        if items.len() > LIST_LIMIT && index == half {
            out.push_str(&format!("\n    … {} more …", items.len() - 2 * half));
        }
        if items.len() <= LIST_LIMIT || index < half || index >= items.len() - half {
            out.push_str("\n    ");
            out.push_str(&line(index, item));
        }
    }
    if items.is_empty() {
        out.push_str("\n    (none)");
    }
    out
}

/// A sequence of numbers as runs, each number after `mark`: with mark `#`, `#1..=#5, #9, #8..=#6`
/// reads "1 to 5, then 9, then 8 down to 6".
pub(crate) fn runs(numbers: &[u64], mark: &str) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut index = 0;
    while index < numbers.len() {
        let start = numbers[index];
        let step = match numbers.get(index + 1) {
            Some(&next) if start.checked_add(1) == Some(next) => 1,
            Some(&next) if next.checked_add(1) == Some(start) => -1,
            _ => 0,
        };
        let mut end = index;
        while step != 0
            && numbers
                .get(end + 1)
                .is_some_and(|&n| n.checked_add_signed(-step) == Some(numbers[end]))
        {
            end += 1;
        }
        runs.push(if end == index {
            format!("{mark}{start}")
        } else if end == index + 1 {
            format!("{mark}{start}, {mark}{}", numbers[end])
        } else {
            format!("{mark}{start}..={mark}{}", numbers[end])
        });
        index = end + 1;
    }
    if runs.len() > RUN_LIMIT {
        let left = runs.len() - RUN_LIMIT;
        runs.truncate(RUN_LIMIT);
        runs.push(format!("… ({left} more runs)"));
    }
    if runs.is_empty() {
        return "nothing".to_owned();
    }
    runs.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_name_rising_and_falling_stretches() {
        assert_eq!(runs(&[1, 2, 3, 4, 5], ""), "1..=5");
        assert_eq!(runs(&[10, 9, 8, 7], "v"), "v10..=v7");
        assert_eq!(runs(&[1, 2, 9, 5, 4, 3], "#"), "#1, #2, #9, #5..=#3");
        assert_eq!(runs(&[4], "#"), "#4");
        assert_eq!(runs(&[], "#"), "nothing");
    }

    #[test]
    fn runs_past_the_limit_say_how_many_are_left_out() {
        let zigzag: Vec<u64> = (0..40)
            .map(|n| if n % 2 == 0 { n } else { n + 10 })
            .collect();
        let shown = runs(&zigzag, "");
        assert!(shown.ends_with("… (24 more runs)"), "{shown}");
    }

    #[test]
    fn long_lists_keep_both_ends() {
        let items: Vec<u32> = (0..20).collect();
        let shown = list(&items, |_, n| n.to_string());
        assert!(shown.starts_with("\n    0\n    1"), "{shown}");
        assert!(shown.contains("\n    5\n    … 8 more …\n    14"), "{shown}");
        assert!(shown.ends_with("\n    19"), "{shown}");
    }

    #[test]
    fn previews_cut_long_json_and_say_its_size() {
        let long = format!(r#"{{"blob":"{}"}}"#, "x".repeat(100));
        assert_eq!(
            preview(&long, 60),
            format!(r#"{{"blob":"{}… (111 bytes)"#, "x".repeat(51))
        );
        assert_eq!(preview("{}", 2), "{}");
    }
}
