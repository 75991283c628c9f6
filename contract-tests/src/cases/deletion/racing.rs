//! Deletes racing appends on the same stream, forced round after round.
//!
//! Each round, every racer reads the stream's head, then all are released together: an append
//! with `Exact` (of the head it read), one with `Any`, in some rounds one with `NoStream`, and a
//! soft delete with `Exact` (or `Any`); in a stream of its own, a tombstone races appends the
//! same way. After each round the stream must be one that some order of the round's calls would
//! leave, each call answering what it answered: an `Exact(5)` append and a delete that expected
//! version 5 cannot both succeed, whichever went first.

use std::collections::HashMap;

use es_core::{
    AppendResult, Error, EventId, EventReader, EventStore, EventWriter, ExpectedVersion, NewEvent,
    ReadStream, RecordedEvent, StreamAppend, StreamId, StreamLifecycle, Version,
};

use super::super::{
    race::{race, settled_call},
    support::{batch, describe, describe_result, everything, fresh_store, stream},
};
use crate::{Outcome, StoreFactory};

/// Rounds of soft deletes racing appends on one stream.
const SOFT_ROUNDS: usize = 40;
/// Rounds of a tombstone racing appends, each on a stream of its own.
const TOMBSTONE_ROUNDS: usize = 12;

/// One racer's call.
#[derive(Clone, Debug)]
enum Call {
    Append(ExpectedVersion, Vec<NewEvent>),
    Delete(ExpectedVersion),
    Tombstone(ExpectedVersion),
}

/// What the store answered, abstracted.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    Appended(AppendResult),
    Done,
    Conflict(Option<Version>),
    StreamDeleted,
}

/// One stream as the contract says it must be: versions allocated so far, the first that
/// still reads (past `next` when none does), and whether it is tombstoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Model {
    next: u64,
    live_from: u64,
    tombstoned: bool,
}

impl Model {
    const EMPTY: Self = Self {
        next: 0,
        live_from: 1,
        tombstoned: false,
    };

    fn describe(self) -> String {
        match (self.tombstoned, self.head()) {
            (true, _) => "tombstoned".to_owned(),
            (false, None) => format!("nothing live, {} versions used", self.next),
            (false, Some(head)) => format!("live versions {}..={head}", self.live_from),
        }
    }

    fn head(self) -> Option<Version> {
        Version::new(self.next).filter(|_| self.live_from <= self.next)
    }

    /// The state after `call` answered `answer`, if the contract allows that answer now.
    fn after(self, call: &Call, answer: &Answer) -> Option<Self> {
        if self.tombstoned {
            return (*answer == Answer::StreamDeleted).then_some(self);
        }
        let expected = match call {
            Call::Append(e, _) | Call::Delete(e) | Call::Tombstone(e) => *e,
        };
        if !expected.accepts(self.head()) {
            return (*answer == Answer::Conflict(self.head())).then_some(self);
        }
        match (call, answer) {
            (Call::Append(_, events), Answer::Appended(result)) => {
                let last = self.next + events.len() as u64;
                let told = (result.first.version.get(), result.last.version.get());
                (told == (self.next + 1, last)).then_some(Self { next: last, ..self })
            }
            (Call::Delete(_), Answer::Done) => Some(Self {
                live_from: self.next + 1,
                ..self
            }),
            (Call::Tombstone(_), Answer::Done) => Some(Self {
                live_from: self.next + 1,
                tombstoned: true,
                ..self
            }),
            _ => None,
        }
    }
}

/// Some order of `round` that explains every answer from `from` and ends in `observed`.
fn explain(from: Model, round: &[(Call, Answer)], observed: Model) -> bool {
    fn go(state: Model, left: &mut Vec<&(Call, Answer)>, observed: Model) -> bool {
        if left.is_empty() {
            return state == observed;
        }
        for index in 0..left.len() {
            let step = left.remove(index);
            let explained = state
                .after(&step.0, &step.1)
                .is_some_and(|next| go(next, left, observed));
            left.insert(index, step);
            if explained {
                return true;
            }
        }
        false
    }
    go(from, &mut round.iter().collect(), observed)
}

async fn call<S: EventStore + StreamLifecycle>(store: &S, s: &StreamId, call: &Call) -> Answer {
    let what = format!("{call:?} racing on {s}");
    let answer = settled_call(&what, || async {
        match call {
            Call::Append(expected, events) => store
                .append(StreamAppend::new(s.clone(), *expected, events.clone()))
                .await
                .map(Answer::Appended),
            Call::Delete(expected) => store
                .delete_stream(s, *expected)
                .await
                .map(|()| Answer::Done),
            Call::Tombstone(expected) => store
                .tombstone_stream(s, *expected)
                .await
                .map(|()| Answer::Done),
        }
    })
    .await;
    match answer {
        Ok(answer) => answer,
        Err(Error::Conflict { actual, stream, .. }) if stream == *s => Answer::Conflict(actual),
        Err(Error::StreamDeleted { stream }) if stream == *s => Answer::StreamDeleted,
        Err(other) => panic!("{what}: the store failed: {other}"),
    }
}

/// Reads `s` and says what state it is in, checking on the way that its live events are
/// gapless, end at its head, and are each the acknowledged event told that version.
async fn observe<S: EventReader>(
    store: &S,
    s: &StreamId,
    told: &HashMap<EventId, u64>,
    next: u64,
    what: &str,
) -> (Model, Vec<RecordedEvent>) {
    let (read, head) = (
        store.read_stream(s, ReadStream::forward()).await,
        store.stream_head(s).await,
    );
    let (read, head) = match (read, head) {
        (Err(Error::StreamDeleted { .. }), Err(Error::StreamDeleted { .. })) => {
            return (
                Model {
                    next,
                    live_from: next + 1,
                    tombstoned: true,
                },
                Vec::new(),
            );
        }
        (Ok(read), Ok(head)) => (read, head),
        (read, head) => panic!(
            "{what}: {s} reads as {read:?} with head {head:?}; reads and head must agree (a tombstoned stream refuses both)"
        ),
    };
    let listed = read.iter().map(describe).collect::<Vec<_>>().join("; ");
    for pair in read.windows(2) {
        assert_eq!(
            pair[1].version.get(),
            pair[0].version.get() + 1,
            "{what}: {s}'s live events skip or repeat a version: [{listed}]; they must run gapless"
        );
    }
    assert_eq!(
        head,
        read.last().map(RecordedEvent::event_ref),
        "{what}: {s}'s head is not its last live event: [{listed}]"
    );
    for event in &read {
        assert_eq!(
            told.get(&event.id),
            Some(&event.version.get()),
            "{what}: {} is live, but no append was acknowledged with that event at that version; live: [{listed}]",
            describe(event)
        );
    }
    let live_from = read.first().map_or(next + 1, |e| e.version.get());
    let observed = Model {
        next: read.last().map_or(next, |e| e.version.get()),
        live_from,
        tombstoned: false,
    };
    (observed, read)
}

/// Races the calls of `rounds` on `s` (at `model` now) and checks each round; `told` has, by
/// event id, the version every acknowledged append of `s` was told. Returns the stream's last
/// state and its live events.
async fn race_rounds<S: EventStore + StreamLifecycle + Clone + 'static>(
    store: &S,
    s: &StreamId,
    calls: impl Fn(usize, Option<Version>) -> Vec<Call>,
    rounds: std::ops::Range<usize>,
    mut model: Model,
    told: &mut HashMap<EventId, u64>,
) -> (Model, Vec<RecordedEvent>) {
    let mut live = Vec::new();
    for round in rounds {
        if model.head().is_none() && !model.tombstoned && round % 4 != 3 {
            // Most rounds start with live events, so that deletes and appends contest a version.
            let refill = batch(&format!("refill-{round}"), 1);
            let result = store
                .append(StreamAppend::new(
                    s.clone(),
                    ExpectedVersion::Any,
                    refill.clone(),
                ))
                .await
                .unwrap_or_else(|e| panic!("refilling {s} before round {round}: {e}"));
            told.insert(refill[0].id, result.first.version.get());
            model = Model {
                next: result.last.version.get(),
                live_from: result.first.version.get(),
                ..model
            };
        }
        let head = model.head();
        let planned = calls(round, head);
        let answers = race(planned.len(), |racer, line| {
            let (store, s, planned) = (store.clone(), s.clone(), planned.clone());
            async move {
                line.go().await;
                call(&store, &s, &planned[racer]).await
            }
        })
        .await;
        let done: Vec<(Call, Answer)> = planned.into_iter().zip(answers).collect();
        for (call, answer) in &done {
            if let (Call::Append(_, events), Answer::Appended(result)) = (call, answer) {
                for (n, event) in events.iter().enumerate() {
                    told.insert(event.id, result.first.version.get() + n as u64);
                }
            }
        }
        let next = model.next + done.iter().map(|(_, a)| appended(a)).sum::<u64>();
        let what = format!("round {round} on {s} (from head {head:?})");
        let (observed, read) = observe(store, s, told, next, &what).await;
        let report = || {
            done.iter()
                .map(|(c, a)| format!("\n  {} -> {}", short(c), short_answer(a)))
                .collect::<String>()
        };
        for (call, answer) in &done {
            if let (Call::Delete(ExpectedVersion::Exact(v)), Answer::Done) = (call, answer) {
                assert!(
                    read.first().is_none_or(|e| e.version > *v),
                    "{what}: a delete that succeeded expecting {v} left {} live:{}",
                    describe(&read[0]),
                    report()
                );
            }
        }
        assert!(
            explain(model, &done, observed),
            "{what}: no order of the round's calls gives these answers and leaves the stream as it is \
             ({}); an append and a delete that expected the same head cannot both succeed:{}",
            observed.describe(),
            report()
        );
        model = observed;
        live = read;
    }
    (model, live)
}

fn appended(answer: &Answer) -> u64 {
    match answer {
        Answer::Appended(r) => r.last.version.get().saturating_sub(r.first.version.get()) + 1,
        _ => 0,
    }
}

fn short(call: &Call) -> String {
    match call {
        Call::Append(e, events) => format!("append of {} with {e}", events.len()),
        Call::Delete(e) => format!("delete with {e}"),
        Call::Tombstone(e) => format!("tombstone with {e}"),
    }
}

fn short_answer(answer: &Answer) -> String {
    match answer {
        Answer::Appended(result) => format!("appended {}", describe_result(result)),
        other => format!("{other:?}"),
    }
}

/// Asserts that a tombstoned `s` refuses every read and write with `StreamDeleted`.
async fn assert_refuses_everything<S: EventStore + StreamLifecycle>(store: &S, s: &StreamId) {
    let refused = |what: &str, deleted: bool| {
        assert!(
            deleted,
            "{what} on tombstoned stream {s} must be StreamDeleted"
        );
    };
    let is_deleted = |e: &Error| matches!(e, Error::StreamDeleted { stream } if stream == s);
    refused(
        "read_stream",
        store
            .read_stream(s, ReadStream::forward())
            .await
            .as_ref()
            .err()
            .is_some_and(is_deleted),
    );
    refused(
        "stream_head",
        store
            .stream_head(s)
            .await
            .as_ref()
            .err()
            .is_some_and(is_deleted),
    );
    for expected in [
        ExpectedVersion::Any,
        ExpectedVersion::NoStream,
        ExpectedVersion::StreamExists,
        ExpectedVersion::Exact(Version::FIRST),
    ] {
        let append = store
            .append(StreamAppend::new(s.clone(), expected, batch("late", 1)))
            .await;
        refused(
            &format!("an append with {expected}"),
            append.as_ref().err().is_some_and(is_deleted),
        );
    }
    let multi = store
        .append_multi(vec![
            StreamAppend::new(
                stream("race-tomb-elsewhere"),
                ExpectedVersion::Any,
                batch("m", 1),
            ),
            StreamAppend::new(s.clone(), ExpectedVersion::Any, batch("m", 1)),
        ])
        .await;
    refused(
        "a multi-append",
        multi.as_ref().err().is_some_and(is_deleted),
    );
    refused(
        "delete_stream",
        store
            .delete_stream(s, ExpectedVersion::Any)
            .await
            .as_ref()
            .err()
            .is_some_and(is_deleted),
    );
    refused(
        "tombstone_stream",
        store
            .tombstone_stream(s, ExpectedVersion::Any)
            .await
            .as_ref()
            .err()
            .is_some_and(is_deleted),
    );
}

/// Soft deletes race appends with `Exact`, `Any` and `NoStream` on one stream, and tombstones
/// race appends on streams of their own, all released together, round after round. After every
/// round: the live events run gapless up to the stream's head, each is an acknowledged event at
/// the version it was told, a delete that succeeded expecting `v` left nothing live at or below
/// `v`, and some order of the round's calls explains every answer (so an `Exact(v)` append and a
/// delete expecting `v` never both succeed); a tombstoned stream refuses everything; at the end
/// `read_all` holds exactly the live events, and `NoStream` holds exactly when nothing is live.
pub async fn delete_racing_appends_keeps_streams_consistent<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let store = fresh_store(factory).await;
    let s = stream("race-delete");
    let soft = |round: usize, head: Option<Version>| {
        let tag = |who: &str| format!("r{round}-{who}");
        let mut calls = vec![
            Call::Append(
                ExpectedVersion::from_current(head),
                batch(&tag("exact"), 1 + round % 2),
            ),
            Call::Append(ExpectedVersion::Any, batch(&tag("any"), 1)),
            Call::Delete(match head {
                Some(v) if round % 4 != 2 => ExpectedVersion::Exact(v),
                _ => ExpectedVersion::Any,
            }),
        ];
        if round % 2 == 1 {
            calls.push(Call::Append(
                ExpectedVersion::NoStream,
                batch(&tag("new"), 1),
            ));
        }
        calls
    };
    let mut told = HashMap::new();
    let (model, _) = race_rounds(&store, &s, soft, 0..SOFT_ROUNDS, Model::EMPTY, &mut told).await;
    let probe_events = batch("probe", 1);
    let probe = store
        .append(StreamAppend::new(
            s.clone(),
            ExpectedVersion::NoStream,
            probe_events.clone(),
        ))
        .await;
    let next = match (model.head(), probe) {
        (None, Ok(result)) if result.first.version.get() == model.next + 1 => {
            told.insert(probe_events[0].id, model.next + 1);
            model.next + 1
        }
        (Some(head), Err(Error::Conflict { actual, .. })) if actual == Some(head) => model.next,
        (head, probe) => panic!(
            "NoStream on {s} after the races (head {head:?}, {} versions used) answered {probe:?}; it must hold exactly when nothing is live, and continue the numbering",
            model.next
        ),
    };
    let (_, live) = observe(&store, &s, &told, next, "after the NoStream probe").await;
    let mut wanted: Vec<EventId> = live.iter().map(|e| e.id).collect();
    for round in 0..TOMBSTONE_ROUNDS {
        let t = stream(&format!("race-tomb-{round}"));
        let created = batch(&format!("created-{round}"), 2);
        store
            .append(StreamAppend::new(
                t.clone(),
                ExpectedVersion::NoStream,
                created.clone(),
            ))
            .await
            .unwrap_or_else(|e| panic!("creating {t}: {e}"));
        let mut told: HashMap<EventId, u64> =
            created.iter().zip(1..).map(|(e, v)| (e.id, v)).collect();
        let from = Model {
            next: 2,
            live_from: 1,
            tombstoned: false,
        };
        let calls = |round: usize, head: Option<Version>| {
            vec![
                Call::Append(ExpectedVersion::from_current(head), batch("exact", 1)),
                Call::Append(ExpectedVersion::Any, batch("any", 1)),
                // Every other tombstone expects the head it read, the others Any.
                Call::Tombstone(match head {
                    Some(v) if round % 2 != 1 => ExpectedVersion::Exact(v),
                    _ => ExpectedVersion::Any,
                }),
            ]
        };
        let (after, read) = race_rounds(&store, &t, calls, round..round + 1, from, &mut told).await;
        if after.tombstoned {
            assert_refuses_everything(&store, &t).await;
        }
        wanted.extend(read.iter().map(|e| e.id));
    }
    let mut held: Vec<EventId> = everything(&store, "read_all after the races")
        .await
        .iter()
        .map(|e| e.id)
        .collect();
    held.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(
        held, wanted,
        "read_all after the races must hold exactly the live events of the raced streams (none of a deleted or tombstoned one, none of a refused call)"
    );
    Outcome::Passed
}
