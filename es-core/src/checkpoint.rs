//! Resume points of the global order: opaque, serialisable, safe to store.

use std::{cmp::Ordering, fmt, sync::Arc};

use crate::{Error, Position, stream_id::shorten};

/// Where a reader of the global order is: everything up to here has been read.
///
/// A checkpoint comes from a [`Page`](crate::Page) or a subscription (with every event it
/// delivers, and on its own when a filter skipped events) and is valid even when the page was
/// empty. Resume with [`ReadAll::after`](crate::ReadAll::after) or
/// [`Subscribe::after`](crate::Subscribe::after). Do not build one from the position an append
/// returned: on some stores an earlier transaction can still commit just below it, and only a
/// read knows the safe place.
///
/// It is a tagged string (`p:<n>` today), so checkpoints you persist keep working when a store
/// with several logs writes another form; [`Checkpoint::parse`] reads it back.
///
/// ```
/// use es_core::Checkpoint;
///
/// let saved = Checkpoint::beginning().to_string();
/// assert_eq!(saved, "p:0");
/// assert_eq!(Checkpoint::parse(&saved)?, Checkpoint::beginning());
/// assert!(Checkpoint::parse("yesterday").is_err());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Every position up to and including this one has been read (0: nothing yet).
    Position(u64),
    /// A form this version does not know; kept so it can be shown, never used to read.
    #[allow(dead_code)] // reserved for later forms
    Other(Arc<str>),
}

/// The tag of single-log checkpoints.
const POSITION_TAG: &str = "p:";

impl Checkpoint {
    /// Before every event: a reader that starts here reads everything.
    pub const fn beginning() -> Self {
        Self(Repr::Position(0))
    }

    /// Everything at or before `position` has been read (providers only: see the type's docs).
    pub const fn after(position: Position) -> Self {
        Self(Repr::Position(position.get()))
    }

    /// The last position covered, for providers with one global log: `None` at the beginning.
    pub fn position(&self) -> Option<Position> {
        match self.0 {
            Repr::Position(0) | Repr::Other(_) => None,
            Repr::Position(p) => Some(Position::new(p)),
        }
    }

    /// The number of the last position covered, 0 at the beginning, for providers with one
    /// global log; [`Error::InvalidCheckpoint`] for a form they cannot read.
    pub fn to_position_number(&self) -> Result<u64, Error> {
        match &self.0 {
            Repr::Position(p) => Ok(*p),
            Repr::Other(text) => Err(Error::InvalidCheckpoint {
                text: shorten(text),
                reason: "it was written by a kind of store this one is not",
            }),
        }
    }

    /// Whether this is [`Checkpoint::beginning`].
    pub fn is_beginning(&self) -> bool {
        self.0 == Repr::Position(0)
    }

    /// Reads a checkpoint from the text [`Display`](fmt::Display) wrote.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidCheckpoint {
            text: shorten(text),
            reason,
        };
        let digits = text
            .strip_prefix(POSITION_TAG)
            .ok_or_else(|| invalid("it does not start with a known tag such as `p:`"))?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("`p:` must be followed by a decimal number"));
        }
        digits
            .parse()
            .map(|p| Self(Repr::Position(p)))
            .map_err(|_| invalid("the number is too large"))
    }
}

impl PartialOrd for Checkpoint {
    /// Checkpoints of one global log are ordered; other forms are not comparable.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (&self.0, &other.0) {
            (Repr::Position(a), Repr::Position(b)) => Some(a.cmp(b)),
            _ if self == other => Some(Ordering::Equal),
            _ => None,
        }
    }
}

impl Default for Checkpoint {
    fn default() -> Self {
        Self::beginning()
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Position(p) => write!(f, "{POSITION_TAG}{p}"),
            Repr::Other(text) => f.write_str(text),
        }
    }
}

impl fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checkpoint({self})")
    }
}

impl std::str::FromStr for Checkpoint {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl serde::Serialize for Checkpoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Checkpoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_text_round_trips_and_orders() {
        let later = Checkpoint::after(Position::new(42));
        assert_eq!(later.to_string(), "p:42");
        assert_eq!(Checkpoint::parse("p:42").ok(), Some(later.clone()));
        assert!(Checkpoint::beginning() < later);
        assert_eq!(later.position(), Some(Position::new(42)));
        assert_eq!(Checkpoint::beginning().position(), None);
        let json = serde_json::to_string(&later).unwrap_or_default();
        assert_eq!(json, r#""p:42""#);
        assert_eq!(serde_json::from_str::<Checkpoint>(&json).ok(), Some(later));
    }

    #[test]
    fn checkpoint_rejects_foreign_text() {
        for bad in [
            "",
            "42",
            "p:",
            "p:-1",
            "p:1x",
            "p:99999999999999999999999",
            "v1:3,4",
        ] {
            assert!(
                matches!(Checkpoint::parse(bad), Err(Error::InvalidCheckpoint { .. })),
                "{bad:?} was accepted"
            );
        }
    }
}
