use std::fmt;

/// The version of an event within its stream: the first event is version 1, and each next event
/// is one more, with no gaps. A stream with no events has no version (`Option<Version>::None`).
///
/// ```
/// use es_core::Version;
///
/// assert_eq!(Version::FIRST.get(), 1);
/// assert_eq!(Version::FIRST.next(), Version::new(2));
/// assert!(Version::new(0).is_none());
/// assert_eq!(Version::new(u64::MAX).and_then(Version::next), None, "never wraps");
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

    /// The version after this one; `None` past `u64::MAX` (a stream can never get there, but a
    /// forged version must not wrap or panic).
    pub const fn next(self) -> Option<Self> {
        match self.0.checked_add(1) {
            Some(next) => Some(Self(next)),
            None => None,
        }
    }

    /// The version `count` events after `current` (`None` as `current`: a new stream). `None`
    /// when `count` is 0 on a new stream or the sum passes `u64::MAX`.
    pub const fn after(current: Option<Version>, count: u64) -> Option<Self> {
        let base = match current {
            Some(Version(v)) => v,
            None => 0,
        };
        match base.checked_add(count) {
            Some(v) => Self::new(v),
            None => None,
        }
    }
}

impl fmt::Display for Version {
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
