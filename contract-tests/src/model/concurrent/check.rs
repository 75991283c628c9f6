//! The recorded history and the store's end state against the model's invariants.
//!
//! Nothing here replays the calls in one order: calls of one batch overlap, so the checks are
//! those every order must keep. "Before" is real time: an earlier batch, or earlier in the same
//! task ([`Record::before`]).

use std::collections::{HashMap, HashSet};

use es_core::{AppendResult, EventId, ExpectedVersion, RecordedEvent, StreamId, Version};

use super::{
    history::{Did, Final, Record, Refusal},
    plan::Plan,
};
use crate::cases::{describe, describe_result};

type Checked = Result<(), String>;

/// Every invariant, in turn; the first broken one is the error.
pub(crate) fn check(plan: &Plan, history: &[Record], end: &Final) -> Checked {
    let stored = streams_are_gapless(end)?;
    read_all_agrees(end, &stored)?;
    let acked = resends_agree(history)?;
    acknowledged_are_stored(plan, &acked, &stored)?;
    writers_met_their_expectations(history, &acked)?;
    let heads = heads_ever(&acked);
    for record in history {
        during_the_run(plan, history, record, end, &heads)?;
    }
    Ok(())
}

/// Each stream at the end is gapless from version 1, no event is stored twice, and its head is
/// its last event. Returns every stored event by id.
fn streams_are_gapless(end: &Final) -> Result<HashMap<EventId, &RecordedEvent>, String> {
    let mut stored = HashMap::new();
    for (s, events, head) in &end.streams {
        for (index, event) in events.iter().enumerate() {
            if event.version.get() != index as u64 + 1 || event.stream_id != *s {
                return Err(format!(
                    "stream {s} is not gapless from version 1: its event {index} is {}",
                    describe(event)
                ));
            }
            if let Some(twice) = stored.insert(event.id, event) {
                return Err(format!(
                    "one event is stored twice: {} and {}",
                    describe(twice),
                    describe(event)
                ));
            }
        }
        if *head != events.last().map(RecordedEvent::event_ref) {
            return Err(format!(
                "stream_head({s}) is {head:?}, but its last event is {:?}",
                events.last().map(describe)
            ));
        }
    }
    Ok(stored)
}

/// `read_all`, paged from the beginning to the end, holds exactly the streams' events, each as
/// its stream holds it, in rising positions and in every stream's order.
fn read_all_agrees(end: &Final, stored: &HashMap<EventId, &RecordedEvent>) -> Checked {
    let mut last_of: HashMap<&StreamId, Version> = HashMap::new();
    for (index, event) in end.all.iter().enumerate() {
        if index > 0 && end.all[index - 1].position >= event.position {
            return Err(format!(
                "read_all is not in rising positions: {} follows {}",
                describe(event),
                describe(&end.all[index - 1])
            ));
        }
        let same = stored.get(&event.id).is_some_and(|s| {
            s.stream_id == event.stream_id
                && s.version == event.version
                && s.position == event.position
        });
        if !same {
            return Err(format!(
                "read_all holds {}, which its stream does not hold so ({:?})",
                describe(event),
                stored.get(&event.id).map(|e| describe(e))
            ));
        }
        if last_of
            .insert(&event.stream_id, event.version)
            .is_some_and(|before| before >= event.version)
        {
            return Err(format!(
                "read_all holds {} after a later version of its stream; it must keep every stream's order",
                describe(event)
            ));
        }
    }
    if end.all.len() != stored.len() {
        let read: HashSet<_> = end.all.iter().map(|e| e.id).collect();
        let missing = stored.values().find(|e| !read.contains(&e.id));
        return Err(format!(
            "read_all holds {} events, the streams {} (missing: {:?})",
            end.all.len(),
            stored.len(),
            missing.map(|e| describe(e))
        ));
    }
    Ok(())
}

/// Every successful send of one call (the first, and every exact re-send) answered the same.
/// Returns each acknowledged call's results.
fn resends_agree(history: &[Record]) -> Result<HashMap<usize, &Vec<AppendResult>>, String> {
    let mut acked: HashMap<usize, &Vec<AppendResult>> = HashMap::new();
    for record in history {
        if let Did::Sent {
            call,
            outcome: Ok(results),
            ..
        } = &record.did
        {
            match acked.get(call) {
                Some(first) if *first != results => {
                    return Err(format!(
                        "two sends of call {call} answered [{}] and [{}]; an exact re-send must return the original result",
                        list(first),
                        list(results)
                    ));
                }
                Some(_) => {}
                None => {
                    acked.insert(*call, results);
                }
            }
        }
    }
    Ok(acked)
}

/// Every acknowledged event is stored once, where its call was told (stream, versions, first
/// and last position and id), and every stored event is one an acknowledged call carried.
fn acknowledged_are_stored(
    plan: &Plan,
    acked: &HashMap<usize, &Vec<AppendResult>>,
    stored: &HashMap<EventId, &RecordedEvent>,
) -> Checked {
    let mut owned = HashSet::new();
    for (&call, results) in acked {
        let parts = &plan.calls[call].parts;
        if results.len() != parts.len() {
            return Err(format!(
                "call {call} of {} parts was answered with {} results",
                parts.len(),
                results.len()
            ));
        }
        for (part, result) in parts.iter().zip(results.iter()) {
            let (first, last) = (&part.events[0], &part.events[part.events.len() - 1]);
            let told = describe_result(result);
            if result.stream_id != part.stream
                || result.first.id != first.id
                || result.last.id != last.id
                || result.last.version.get() + 1
                    != result.first.version.get() + part.events.len() as u64
            {
                return Err(format!(
                    "call {call}'s part for {} ({} events) was answered {told}; results come in the order of the parts and name their first and last events",
                    part.stream,
                    part.events.len()
                ));
            }
            for (n, new) in part.events.iter().enumerate() {
                let at = result.first.version.get() + n as u64;
                let found = stored.get(&new.id);
                if !found.is_some_and(|e| {
                    e.stream_id == part.stream && e.version.get() == at && e.matches(new)
                }) {
                    return Err(format!(
                        "call {call} was acknowledged ({told}), but its event {} is {}; every acknowledged event is stored once, at the version it was told",
                        new.id,
                        found.map_or("not stored".to_owned(), |e| format!(
                            "stored as {}",
                            describe(e)
                        ))
                    ));
                }
                owned.insert(new.id);
            }
            let positions = (stored[&first.id].position, stored[&last.id].position);
            if positions != (result.first.position, result.last.position) {
                return Err(format!(
                    "call {call} was told {told}, but its events are stored as {} and {}",
                    describe(stored[&first.id]),
                    describe(stored[&last.id])
                ));
            }
        }
    }
    match stored.values().find(|e| !owned.contains(&e.id)) {
        Some(stray) => Err(format!(
            "{} is stored, but no call that carried it was acknowledged",
            describe(stray)
        )),
        None => Ok(()),
    }
}

/// Whether an append that expected `expected` may have been told it starts at `first`.
fn fits(expected: ExpectedVersion, first: Version) -> bool {
    match expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => first == Version::FIRST,
        ExpectedVersion::StreamExists => first > Version::FIRST,
        ExpectedVersion::Exact(v) => Some(first) == v.next(),
    }
}

/// Some successful send of every acknowledged call expected what its results say: `NoStream`
/// at version 1, `Exact(v)` at `v + 1`, `StreamExists` past version 1.
fn writers_met_their_expectations(
    history: &[Record],
    acked: &HashMap<usize, &Vec<AppendResult>>,
) -> Checked {
    for (&call, results) in acked {
        let sent: Vec<&Vec<ExpectedVersion>> = history
            .iter()
            .filter_map(|r| match &r.did {
                Did::Sent {
                    call: c,
                    expected,
                    outcome: Ok(_),
                } if *c == call => Some(expected),
                _ => None,
            })
            .collect();
        let met = sent.iter().any(|expected| {
            expected
                .iter()
                .zip(results.iter())
                .all(|(e, r)| fits(*e, r.first.version))
        });
        if !met {
            return Err(format!(
                "call {call} was told [{}], which no expectation it was sent with ({sent:?}) allows",
                list(results)
            ));
        }
    }
    Ok(())
}

/// Every version each stream's head ever was: the last version of an acknowledged part.
fn heads_ever(acked: &HashMap<usize, &Vec<AppendResult>>) -> HashMap<StreamId, HashSet<u64>> {
    let mut heads: HashMap<StreamId, HashSet<u64>> = HashMap::new();
    for result in acked.values().flat_map(|r| r.iter()) {
        heads
            .entry(result.stream_id.clone())
            .or_default()
            .insert(result.last.version.get());
    }
    heads
}

/// The highest version of `s` acknowledged to a step that ended before `record` began.
fn floor(history: &[Record], record: &Record, s: &StreamId) -> u64 {
    history
        .iter()
        .filter(|earlier| earlier.before(record))
        .filter_map(|earlier| match &earlier.did {
            Did::Sent {
                outcome: Ok(results),
                ..
            } => results
                .iter()
                .filter(|r| r.stream_id == *s)
                .map(|r| r.last.version.get())
                .max(),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// What one step saw during the run agrees with the end and with what came before it.
fn during_the_run(
    plan: &Plan,
    history: &[Record],
    record: &Record,
    end: &Final,
    heads: &HashMap<StreamId, HashSet<u64>>,
) -> Checked {
    let when = format!(
        "batch {} task {} step {}",
        record.batch, record.task, record.seq
    );
    let final_of = |s: &StreamId| {
        end.streams
            .iter()
            .find(|(name, _, _)| name == s)
            .map(|(_, events, _)| events.as_slice())
            .unwrap_or_default()
    };
    match &record.did {
        Did::Sent {
            call,
            expected,
            outcome:
                Err(Refusal::Conflict {
                    stream,
                    expected: said,
                    actual,
                }),
        } => {
            let what = format!(
                "{when}: call {call} conflicted on {stream} (expected {said}, actual {actual:?})"
            );
            let part = plan.calls[*call]
                .parts
                .iter()
                .position(|p| p.stream == *stream);
            if part.map(|i| expected[i]) != Some(*said) {
                return Err(format!("{what}, which is not what it sent ({expected:?})"));
            }
            if said.accepts(*actual) {
                return Err(format!("{what}: that version meets the expectation"));
            }
            let real =
                actual.is_none_or(|v| heads.get(stream).is_some_and(|h| h.contains(&v.get())));
            if !real {
                return Err(format!("{what}: the stream never was at that version"));
            }
            let before = floor(history, record, stream);
            if actual.map_or(0, Version::get) < before {
                return Err(format!(
                    "{what}: version {before} had been acknowledged before the call began"
                ));
            }
            if let Some(earlier) = history.iter().find(|e| {
                e.before(record)
                    && matches!(&e.did, Did::Sent { call: c, outcome: Ok(_), .. } if c == call)
            }) {
                return Err(format!(
                    "{what}, after the same call was acknowledged (batch {} task {}): an exact re-send returns the original result",
                    earlier.batch, earlier.task
                ));
            }
        }
        Did::Sent {
            call,
            outcome: Err(Refusal::Other(why)),
            ..
        } => {
            return Err(format!(
                "{when}: call {call}, an exact send of its own events, was refused: {why}"
            ));
        }
        Did::Sent { .. } => {}
        Did::ReadStream { stream, events } => {
            let whole = final_of(stream);
            let prefix = events.len() <= whole.len()
                && events
                    .iter()
                    .zip(whole)
                    .all(|(a, b)| a.event_ref() == b.event_ref());
            if !prefix {
                return Err(format!(
                    "{when}: read_stream({stream}) returned [{}], which is not how the stream begins at the end ([{}])",
                    events.iter().map(describe).collect::<Vec<_>>().join("; "),
                    whole
                        .iter()
                        .take(events.len() + 1)
                        .map(describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            let before = floor(history, record, stream);
            if (events.len() as u64) < before {
                return Err(format!(
                    "{when}: read_stream({stream}) returned {} events, but version {before} had been acknowledged before it began",
                    events.len()
                ));
            }
        }
        Did::Head { stream, head } => {
            let before = floor(history, record, stream);
            let version = head.map_or(0, |h| h.version.get());
            let real = head.is_none_or(|h| {
                final_of(stream)
                    .get(version as usize - 1)
                    .map(|e| e.event_ref())
                    == Some(h)
                    && heads.get(stream).is_some_and(|v| v.contains(&version))
            });
            if !real || version < before {
                return Err(format!(
                    "{when}: stream_head({stream}) was {head:?}; it must be the end of an acknowledged append, at or after version {before} (acknowledged before it began)"
                ));
            }
        }
        Did::ReadAll { events } => {
            let prefix = events.len() <= end.all.len()
                && events
                    .iter()
                    .zip(&end.all)
                    .all(|(a, b)| a.id == b.id && a.position == b.position);
            if !prefix {
                let at = events
                    .iter()
                    .zip(&end.all)
                    .position(|(a, b)| a.id != b.id || a.position != b.position);
                return Err(format!(
                    "{when}: read_all during the run returned {} events that are not how the global order begins at the end (first difference at {at:?}: {:?} where the end has {:?}); a reader that goes on from there would skip or repeat events",
                    events.len(),
                    at.and_then(|i| events.get(i)).map(describe),
                    at.and_then(|i| end.all.get(i)).map(describe)
                ));
            }
            let seen: HashSet<_> = events.iter().map(|e| e.id).collect();
            for earlier in history.iter().filter(|e| e.before(record)) {
                if let Did::Sent {
                    outcome: Ok(results),
                    ..
                } = &earlier.did
                    && let Some(missing) = results.iter().find(|r| !seen.contains(&r.last.id))
                {
                    return Err(format!(
                        "{when}: read_all during the run lacks {}, acknowledged before it began",
                        describe_result(missing)
                    ));
                }
            }
        }
    }
    Ok(())
}

fn list(results: &[AppendResult]) -> String {
    results
        .iter()
        .map(describe_result)
        .collect::<Vec<_>>()
        .join("; ")
}
