//! The operations a model-based run is made of, and the proptest strategies that make them.

use es_core::{ExpectedVersion, Version};
use proptest::prelude::*;

/// The streams a run works on: few, so that operations collide often; two in category `model`,
/// one in `other`.
pub const STREAMS: [&str; 3] = ["model-a", "model-b", "other-𝄞"];

/// What an append expects, as generated (`Exact` of 1 to 6, which may or may not hold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `ExpectedVersion::Any`.
    Any,
    /// `ExpectedVersion::NoStream`.
    NoStream,
    /// `ExpectedVersion::StreamExists`.
    StreamExists,
    /// `ExpectedVersion::Exact(n)`.
    Exact(u64),
}

impl Expect {
    /// The expectation it stands for.
    pub fn to_expected(self) -> ExpectedVersion {
        match self {
            Self::Any => ExpectedVersion::Any,
            Self::NoStream => ExpectedVersion::NoStream,
            Self::StreamExists => ExpectedVersion::StreamExists,
            Self::Exact(n) => {
                Version::new(n).map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact)
            }
        }
    }
}

/// Which events a `read_all` of a model run asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFilter {
    /// Every event.
    All,
    /// Events of type `Even` (the first, third, ... of each generated batch).
    EvenType,
    /// Events of streams in category `model`.
    ModelCategory,
}

/// One step of a model-based run.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Appends `count` fresh events (0: an empty append; `repeat_id`: the second event reuses
    /// the first one's id, which must be rejected).
    Append {
        /// Index into [`STREAMS`].
        stream: usize,
        /// The expectation.
        expect: Expect,
        /// How many events.
        count: usize,
        /// Whether the batch carries an id twice.
        repeat_id: bool,
    },
    /// Appends to several distinct streams at once.
    AppendMulti {
        /// (stream index, expectation, count ≥ 1) per part; stream indexes are distinct.
        parts: Vec<(usize, Expect, usize)>,
    },
    /// Sends an earlier append's exact batch again (same stream, expectation and events).
    Resend {
        /// Which earlier append.
        which: usize,
    },
    /// Appends one event that reuses the id of an earlier append's first event, with new
    /// content.
    ReuseId {
        /// Which earlier append.
        which: usize,
        /// Index into [`STREAMS`].
        stream: usize,
    },
    /// Reads one stream.
    ReadStream {
        /// Index into [`STREAMS`].
        stream: usize,
        /// Newest first.
        backward: bool,
        /// The first version to read.
        from: Option<u64>,
        /// The most events (`None`: unlimited).
        limit: Option<usize>,
    },
    /// Reads the global order: all of it in pages of 7, then a first page of `first` events
    /// and the page of `then` events after its checkpoint, with a filter.
    ReadAll {
        /// The first page's limit.
        first: usize,
        /// The second page's limit.
        then: usize,
        /// Which events.
        filter: ReadFilter,
    },
    /// Asks a stream's head.
    StreamHead {
        /// Index into [`STREAMS`].
        stream: usize,
    },
    /// Deletes a stream, soft or hard (only in runs with a store that deletes).
    Delete {
        /// Index into [`STREAMS`].
        stream: usize,
        /// The expectation.
        expect: Expect,
        /// Tombstone rather than soft delete.
        hard: bool,
    },
}

fn stream() -> impl Strategy<Value = usize> {
    0..STREAMS.len()
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        2 => Just(Expect::Any),
        2 => Just(Expect::NoStream),
        1 => Just(Expect::StreamExists),
        3 => (1..7u64).prop_map(Expect::Exact),
    ]
}

fn read_filter() -> impl Strategy<Value = ReadFilter> {
    prop_oneof![
        2 => Just(ReadFilter::All),
        1 => Just(ReadFilter::EvenType),
        1 => Just(ReadFilter::ModelCategory),
    ]
}

/// One operation (with `deletions`, one in five a soft delete or tombstone, most of them with
/// an expectation that holds often). Shrinks towards appends and reads of stream 0 with small
/// numbers.
pub fn op(deletions: bool) -> BoxedStrategy<Op> {
    if deletions {
        let delete_expect = prop_oneof![3 => Just(Expect::Any), 1 => expect()];
        prop_oneof![
            4 => op_without_deletion(),
            1 => (stream(), delete_expect, prop::bool::weighted(0.3))
                .prop_map(|(stream, expect, hard)| Op::Delete { stream, expect, hard }),
        ]
        .boxed()
    } else {
        op_without_deletion().boxed()
    }
}

fn op_without_deletion() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (stream(), expect(), prop_oneof![9 => 1..4usize, 1 => Just(0usize)], prop::bool::weighted(0.05))
            .prop_map(|(stream, expect, count, repeat_id)| Op::Append { stream, expect, count, repeat_id }),
        2 => prop::sample::subsequence(vec![0usize, 1, 2], 1..=3)
            .prop_flat_map(|streams| {
                let n = streams.len();
                (Just(streams), prop::collection::vec((expect(), 1..3usize), n))
            })
            .prop_map(|(streams, specs)| Op::AppendMulti {
                parts: streams.into_iter().zip(specs).map(|(s, (e, c))| (s, e, c)).collect(),
            }),
        2 => (0..64usize).prop_map(|which| Op::Resend { which }),
        1 => ((0..64usize), stream()).prop_map(|(which, stream)| Op::ReuseId { which, stream }),
        3 => (stream(), any::<bool>(), prop::option::of(1..8u64), prop::option::of(0..5usize))
            .prop_map(|(stream, backward, from, limit)| Op::ReadStream { stream, backward, from, limit }),
        3 => (0..8usize, 0..8usize, read_filter())
            .prop_map(|(first, then, filter)| Op::ReadAll { first, then, filter }),
        1 => stream().prop_map(|stream| Op::StreamHead { stream }),
    ]
}

/// A sequence of up to `max_ops` operations (deletions only with `deletions`).
pub fn ops(max_ops: usize, deletions: bool) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(deletions), 1..=max_ops.max(1))
}
