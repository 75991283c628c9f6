//! Where events are: their place in the global order, and "where a stream is".

use std::fmt;

use crate::{EventId, Version};

/// An event's place in the store's global order: compare positions, never compute with them.
///
/// Every stored event has one, and within one store positions strictly increase in the order
/// readers of the global order see events. They may leave gaps (PostgreSQL derives them from
/// transaction ids), so "the position after p" and "how far apart" mean nothing. To resume a
/// read, keep the [`Checkpoint`](crate::Checkpoint) a page or a subscription gave you.
///
/// ```
/// use es_core::Position;
///
/// let (earlier, later) = (Position::new(41), Position::new(4_398_046_511_104));
/// assert!(earlier < later);
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Position(u64);

impl Position {
    /// A position from the number a provider stores (providers only).
    pub const fn new(position: u64) -> Self {
        Self(position)
    }

    /// The number a provider stores (for providers and for display).
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Where one stored event is: its version in its stream, its position in the global order and
/// its id. A stream's head (its last event) is an `EventRef`; so is the event a snapshot was
/// taken at.
///
/// ```
/// use es_core::{EventId, EventRef, Position, Version};
///
/// let head = EventRef::new(Version::FIRST, Position::new(7), EventId::new());
/// assert_eq!(head.version.get(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct EventRef {
    /// The event's version in its stream.
    pub version: Version,
    /// The event's place in the global order.
    pub position: Position,
    /// The event's id.
    pub id: EventId,
}

impl EventRef {
    /// Where an event is.
    pub const fn new(version: Version, position: Position, id: EventId) -> Self {
        Self {
            version,
            position,
            id,
        }
    }
}

impl fmt::Display for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "version {} at position {} (id {})",
            self.version, self.position, self.id
        )
    }
}
