//! What the tasks of a concurrent run do: generated operations, and the plan made of them (the
//! calls with their events, so that a re-send carries the very same ones).

use std::fmt;

use es_core::{ExpectedVersion, NewEvent, StreamId};
use proptest::prelude::*;

use super::super::{
    answers::stream,
    ops::{Expect, STREAMS},
};

/// How many tasks run at once.
pub const TASKS: usize = 4;

/// The most batches in one run: each starts all tasks together, after the last one ended.
pub const MAX_BATCHES: usize = 3;

/// One operation of one task in a concurrent model run.
#[derive(Clone, Debug, PartialEq)]
pub enum ConcurrentOp {
    /// Appends `count` fresh events to one stream with a generated expectation.
    Append {
        /// Index into [`STREAMS`].
        stream: usize,
        /// The expectation.
        expect: Expect,
        /// How many events (at least one).
        count: usize,
    },
    /// Reads the stream's head and appends `Exact` of it (`NoStream` when there is none), as a
    /// decider would: tasks doing this at once contend for the same version.
    AppendAtHead {
        /// Index into [`STREAMS`].
        stream: usize,
        /// How many events (at least one).
        count: usize,
    },
    /// Appends to several distinct streams at once, in the order given (so racing calls name
    /// the same streams in different orders).
    AppendMulti {
        /// (stream index, expectation, count ≥ 1) per part.
        parts: Vec<(usize, Expect, usize)>,
    },
    /// Sends a call of the plan again exactly (same streams, expectations and events): an
    /// earlier one, or one another task sends at the same time.
    Resend {
        /// Which call, counted over the plan so far.
        which: usize,
    },
    /// Reads a whole stream.
    ReadStream {
        /// Index into [`STREAMS`].
        stream: usize,
    },
    /// Asks a stream's head.
    StreamHead {
        /// Index into [`STREAMS`].
        stream: usize,
    },
    /// Reads the global order from the beginning to the end, in pages of 5.
    ReadAll,
}

/// A concurrent run as generated: batches of, per task, the operations it runs one after
/// another.
pub type Batches = Vec<Vec<Vec<ConcurrentOp>>>;

fn stream_index() -> impl Strategy<Value = usize> {
    0..STREAMS.len()
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        3 => Just(Expect::Any),
        2 => Just(Expect::NoStream),
        1 => Just(Expect::StreamExists),
        2 => (1..5u64).prop_map(Expect::Exact),
    ]
}

/// One operation. Shrinks towards appends of one event to stream 0.
pub fn concurrent_op() -> impl Strategy<Value = ConcurrentOp> {
    prop_oneof![
        4 => (stream_index(), expect(), 1..3usize)
            .prop_map(|(stream, expect, count)| ConcurrentOp::Append { stream, expect, count }),
        4 => (stream_index(), 1..3usize)
            .prop_map(|(stream, count)| ConcurrentOp::AppendAtHead { stream, count }),
        2 => prop::sample::subsequence(vec![0usize, 1, 2], 1..=3)
            .prop_shuffle()
            .prop_flat_map(|streams| {
                let n = streams.len();
                (Just(streams), prop::collection::vec((expect(), 1..3usize), n))
            })
            .prop_map(|(streams, specs)| ConcurrentOp::AppendMulti {
                parts: streams.into_iter().zip(specs).map(|(s, (e, c))| (s, e, c)).collect(),
            }),
        3 => (0..32usize).prop_map(|which| ConcurrentOp::Resend { which }),
        1 => stream_index().prop_map(|stream| ConcurrentOp::ReadStream { stream }),
        1 => stream_index().prop_map(|stream| ConcurrentOp::StreamHead { stream }),
        2 => Just(ConcurrentOp::ReadAll),
    ]
}

/// Up to [`MAX_BATCHES`] batches of [`TASKS`] tasks with 1 to `per_task` operations each.
pub fn batches(per_task: usize) -> impl Strategy<Value = Batches> {
    let task = prop::collection::vec(concurrent_op(), 1..=per_task.max(1));
    prop::collection::vec(prop::collection::vec(task, TASKS), 1..=MAX_BATCHES)
}

/// What one part of a call expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartExpect {
    /// This expectation.
    Fixed(ExpectedVersion),
    /// `Exact` of the head read just before (`NoStream` when none).
    AtHead,
}

/// One part of a call: a stream, what it expects, the events.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub(crate) stream: StreamId,
    pub(crate) expect: PartExpect,
    pub(crate) events: Vec<NewEvent>,
}

/// One call of the plan: `append` (one part) or `append_multi`.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) multi: bool,
    pub(crate) parts: Vec<Part>,
}

/// One step of one task.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    /// Sends call `.0` of the plan (first or again).
    Send(usize),
    ReadStream(StreamId),
    Head(StreamId),
    ReadAll,
}

/// The calls, and per batch per task the steps.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) calls: Vec<Call>,
    pub(crate) batches: Vec<Vec<Vec<Step>>>,
}

impl Plan {
    /// Makes the calls (with fresh events) and steps of `batches`.
    pub(crate) fn new(batches: &Batches) -> Self {
        let mut calls: Vec<Call> = Vec::new();
        let mut planned = Vec::new();
        for tasks in batches {
            let mut per_task = Vec::new();
            for ops in tasks {
                let mut steps = Vec::new();
                for op in ops {
                    let index = calls.len();
                    let part = |s: usize, expect: PartExpect, count: usize, n: usize| Part {
                        stream: stream(s),
                        expect,
                        events: events(index, n, count),
                    };
                    let call = match op {
                        ConcurrentOp::Append {
                            stream,
                            expect,
                            count,
                        } => Some(Call {
                            multi: false,
                            parts: vec![part(
                                *stream,
                                PartExpect::Fixed(expect.to_expected()),
                                *count,
                                0,
                            )],
                        }),
                        ConcurrentOp::AppendAtHead { stream, count } => Some(Call {
                            multi: false,
                            parts: vec![part(*stream, PartExpect::AtHead, *count, 0)],
                        }),
                        ConcurrentOp::AppendMulti { parts } => Some(Call {
                            multi: true,
                            parts: parts
                                .iter()
                                .enumerate()
                                .map(|(n, (s, e, c))| {
                                    part(*s, PartExpect::Fixed(e.to_expected()), *c, n)
                                })
                                .collect(),
                        }),
                        _ => None,
                    };
                    steps.push(match (call, op) {
                        (Some(call), _) => {
                            calls.push(call);
                            Step::Send(index)
                        }
                        (None, ConcurrentOp::Resend { which }) if !calls.is_empty() => {
                            Step::Send(which % calls.len())
                        }
                        (None, ConcurrentOp::ReadStream { stream: s }) => {
                            Step::ReadStream(stream(*s))
                        }
                        (None, ConcurrentOp::StreamHead { stream: s }) => Step::Head(stream(*s)),
                        (None, _) => Step::ReadAll,
                    });
                }
                per_task.push(steps);
            }
            planned.push(per_task);
        }
        Self {
            calls,
            batches: planned,
        }
    }
}

/// `count` fresh events of call `call`, part `part`.
fn events(call: usize, part: usize, count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|n| {
            let json = format!(r#"{{"call":{call},"part":{part},"n":{n}}}"#);
            match NewEvent::from_json(if n % 2 == 0 { "Even" } else { "Odd" }, json) {
                Ok(event) => event,
                Err(error) => panic!("the model's events are valid: {error}"),
            }
        })
        .collect()
}

/// The generated batches, one line: what a regression file keeps and a failure prints.
pub(crate) struct OneLine<'a>(pub(crate) &'a Batches);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (b, tasks) in self.0.iter().enumerate() {
            write!(f, "batch {b}: ")?;
            for (t, ops) in tasks.iter().enumerate() {
                write!(f, "task {t} {ops:?}; ")?;
            }
        }
        Ok(())
    }
}
