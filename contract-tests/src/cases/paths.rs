//! Every path an append can take, for the cases that check one promise on all of them.
//!
//! A store may write different appends differently: PostgreSQL has a lean statement for
//! single-stream `NoStream`/`Exact` appends and a general one for `Any`, `StreamExists` and
//! multi-stream appends, and a promise checked on one path only misses bugs in the other. The
//! table-driven cases loop over every expectation [`Kind`] × every [`Path`].

use std::fmt;

use es_core::{AppendResult, EventWriter, ExpectedVersion, StreamAppend, Version};

/// The four kinds of expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Any,
    NoStream,
    StreamExists,
    Exact,
}

/// Every kind.
pub(crate) const KINDS: [Kind; 4] = [Kind::Any, Kind::NoStream, Kind::StreamExists, Kind::Exact];

impl Kind {
    /// The expectation of this kind that holds for a stream at `current`, if one does.
    pub(crate) fn holding(self, current: Option<Version>) -> Option<ExpectedVersion> {
        match (self, current) {
            (Self::Any, _) => Some(ExpectedVersion::Any),
            (Self::NoStream, None) => Some(ExpectedVersion::NoStream),
            (Self::StreamExists, Some(_)) => Some(ExpectedVersion::StreamExists),
            (Self::Exact, Some(v)) => Some(ExpectedVersion::Exact(v)),
            _ => None,
        }
    }

    /// Where a stream must be for an expectation of this kind to hold: `None` (no events) for
    /// `NoStream`, some events for the others.
    pub(crate) fn needs_events(self) -> bool {
        self != Self::NoStream
    }

    /// The expectations of this kind that fail for a stream at `current` (none for `Any`, which
    /// never conflicts; `Exact` behind, ahead and on a missing stream).
    pub(crate) fn failing(self, current: Option<Version>) -> Vec<ExpectedVersion> {
        let exact = |n: u64| Version::new(n).map(ExpectedVersion::Exact);
        match (self, current) {
            (Self::Any, _) | (Self::NoStream, None) | (Self::StreamExists, Some(_)) => Vec::new(),
            (Self::NoStream, Some(_)) => vec![ExpectedVersion::NoStream],
            (Self::StreamExists, None) => vec![ExpectedVersion::StreamExists],
            (Self::Exact, None) => exact(1).into_iter().collect(),
            (Self::Exact, Some(v)) => [exact(v.get() - 1), exact(v.get() + 3)]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

/// How an append is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    /// `append`.
    Append,
    /// `append_multi` of the one stream.
    MultiAlone,
    /// `append_multi`, the stream's part first and another stream's part after it.
    MultiFirst,
    /// `append_multi`, another stream's part first and the stream's part after it.
    MultiLast,
}

/// Every path.
pub(crate) const PATHS: [Path; 4] = [
    Path::Append,
    Path::MultiAlone,
    Path::MultiFirst,
    Path::MultiLast,
];

impl Path {
    /// Whether the other stream's part goes along.
    pub(crate) fn has_companion(self) -> bool {
        matches!(self, Self::MultiFirst | Self::MultiLast)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Append => "append",
            Self::MultiAlone => "append_multi of the stream alone",
            Self::MultiFirst => "append_multi with the stream's part first",
            Self::MultiLast => "append_multi with the stream's part last",
        })
    }
}

/// Sends `target` by `path` (with `companion` as the other stream's part where the path has
/// one); returns the target's result and the companion's, if it went along and was stored.
pub(crate) async fn send<S: EventWriter>(
    store: &S,
    path: Path,
    target: StreamAppend,
    companion: StreamAppend,
) -> es_core::Result<(AppendResult, Option<AppendResult>)> {
    match path {
        Path::Append => Ok((store.append(target).await?, None)),
        Path::MultiAlone => {
            let mut results = store.append_multi(vec![target]).await?.into_iter();
            Ok((one(results.next()), None))
        }
        Path::MultiFirst => {
            let mut results = store
                .append_multi(vec![target, companion])
                .await?
                .into_iter();
            let target = one(results.next());
            Ok((target, Some(one(results.next()))))
        }
        Path::MultiLast => {
            let mut results = store
                .append_multi(vec![companion, target])
                .await?
                .into_iter();
            let companion = one(results.next());
            Ok((one(results.next()), Some(companion)))
        }
    }
}

/// The next result of a multi-append, which must give one per stream.
#[track_caller]
fn one(result: Option<AppendResult>) -> AppendResult {
    match result {
        Some(result) => result,
        None => panic!(
            "append_multi returned fewer results than it was given appends; it must return one per stream, in order"
        ),
    }
}
