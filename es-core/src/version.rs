use std::fmt;

/// The version of an event within its stream: the first event is version 1, and each next event
/// is one more, with no gaps. A stream with no events has no version (`Option<Version>::None`).
///
/// ```
/// use es_core::Version;
///
/// assert_eq!(Version::FIRST.get(), 1);
/// assert_eq!(Version::FIRST.next(), Version::new(2).unwrap());
/// assert!(Version::new(0).is_none());
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Version(u64);

impl Version {
    /// The version of a stream's first event.
    pub const FIRST: Self = Self(1);

    /// `Some` for 1 and above; `None` for 0, which is no version.
    pub const fn new(version: u64) -> Option<Self> {
        if version == 0 {
            None
        } else {
            Some(Self(version))
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The version after this one.
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// The version `count` events after `current` (`None`: a new stream).
    pub const fn after(current: Option<Version>, count: u64) -> Self {
        let base = match current {
            Some(Version(v)) => v,
            None => 0,
        };
        Self(base + count)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A place in the store's global order. Every stored event has one, and positions strictly
/// increase in commit-visible order across all streams; they may have gaps.
///
/// `Position::START` (0) is before every event, so `read_all(Position::START, ..)` reads
/// everything. Reads and subscriptions *include* the position they start from: to resume after
/// the last event you handled, start from `last.next()`.
///
/// ```
/// use es_core::Position;
///
/// let last_seen = Position::new(41);
/// assert_eq!(last_seen.next(), Position::new(42));
/// assert!(Position::START < last_seen);
/// ```
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Position(u64);

impl Position {
    /// Before every event.
    pub const START: Self = Self(0);

    /// A position from its number.
    pub const fn new(position: u64) -> Self {
        Self(position)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The position right after this one: where to resume after handling this one.
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// What an append expects of the stream's current version. A mismatch is
/// [`Error::Conflict`](crate::Error::Conflict) and stores nothing.
///
/// ```
/// use es_core::{ExpectedVersion, Version};
///
/// let v3 = Version::new(3);
/// assert!(ExpectedVersion::Any.accepts(None));
/// assert!(ExpectedVersion::NoStream.accepts(None));
/// assert!(!ExpectedVersion::NoStream.accepts(v3));
/// assert!(ExpectedVersion::StreamExists.accepts(v3));
/// assert!(ExpectedVersion::Exact(Version::new(3).unwrap()).accepts(v3));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version; never a conflict.
    Any,
    /// The stream must not exist yet (no events).
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this version.
    Exact(Version),
}

impl ExpectedVersion {
    /// Whether a stream whose current version is `actual` meets this expectation.
    pub const fn accepts(self, actual: Option<Version>) -> bool {
        match (self, actual) {
            (Self::Any, _) | (Self::NoStream, None) | (Self::StreamExists, Some(_)) => true,
            (Self::Exact(expected), Some(actual)) => expected.0 == actual.0,
            _ => false,
        }
    }

    /// The expectation that a stream is exactly at `current` (`None`: no stream yet), as a
    /// decider that just read it would append.
    pub const fn from_current(current: Option<Version>) -> Self {
        match current {
            Some(version) => Self::Exact(version),
            None => Self::NoStream,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any version"),
            Self::NoStream => f.write_str("no stream"),
            Self::StreamExists => f.write_str("an existing stream"),
            Self::Exact(v) => write!(f, "version {v}"),
        }
    }
}
