//! What a provider promises beyond the contract's floor: its limits and its guarantees. The
//! contract suite reads these and checks them.

use std::time::Duration;

use crate::limits;

/// How long a store recognises an exact re-send of a stored batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Idempotency {
    /// For as long as the events exist (and after deletion: ids stay reserved).
    Forever,
    /// Only within this window after the first send (JetStream's de-duplication window).
    Window(Duration),
}

/// When a write is visible to readers of this handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReadConsistency {
    /// A read that starts after an append returned sees it.
    ReadYourWrites,
    /// Reads catch up within this bound (a replica).
    Eventual {
        /// How long a write may take to become visible here.
        within: Duration,
    },
}

/// Whether positions are consecutive numbers or may leave gaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PositionDensity {
    /// Each position is the previous one plus one (the memory store, JetStream sequences).
    Dense,
    /// Positions increase with gaps (PostgreSQL derives them from transaction ids).
    Gapped,
}

/// What a store behind a handle promises: its limits (never below the portable floor in
/// [`limits`]) and its guarantees. The contract suite asserts each of them.
///
/// ```
/// use es_core::{Claims, Idempotency, ReadConsistency};
///
/// let claims = Claims::portable();
/// assert_eq!(claims.max_events_per_append, es_core::limits::MAX_EVENTS_PER_APPEND);
/// assert_eq!(claims.idempotency, Idempotency::Forever);
/// assert_eq!(claims.consistency, ReadConsistency::ReadYourWrites);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Claims {
    /// The most events one stream's part of an append may carry.
    pub max_events_per_append: usize,
    /// The most events one call may carry over all its streams.
    pub max_events_per_call: usize,
    /// The most bytes one event's payload may have.
    pub max_payload_bytes: usize,
    /// How long exact re-sends are recognised.
    pub idempotency: Idempotency,
    /// When writes become visible to this handle's reads.
    pub consistency: ReadConsistency,
    /// Whether positions leave gaps.
    pub positions: PositionDensity,
    /// Whether filtered reads are filtered by the backend rather than after reading.
    pub filter_pushdown: bool,
}

impl Claims {
    /// The floor every provider meets: the [`limits`], idempotency forever, read-your-writes,
    /// gapped positions, no push-down.
    pub const fn portable() -> Self {
        Self {
            max_events_per_append: limits::MAX_EVENTS_PER_APPEND,
            max_events_per_call: limits::MAX_EVENTS_PER_CALL,
            max_payload_bytes: limits::MAX_PAYLOAD_BYTES,
            idempotency: Idempotency::Forever,
            consistency: ReadConsistency::ReadYourWrites,
            positions: PositionDensity::Gapped,
            filter_pushdown: false,
        }
    }

    /// With other append limits.
    #[must_use]
    pub const fn with_append_limits(mut self, per_append: usize, per_call: usize) -> Self {
        self.max_events_per_append = per_append;
        self.max_events_per_call = per_call;
        self
    }

    /// With another payload limit.
    #[must_use]
    pub const fn with_max_payload_bytes(mut self, max: usize) -> Self {
        self.max_payload_bytes = max;
        self
    }

    /// With another idempotency window.
    #[must_use]
    pub const fn with_idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// With another read consistency.
    #[must_use]
    pub const fn with_consistency(mut self, consistency: ReadConsistency) -> Self {
        self.consistency = consistency;
        self
    }

    /// With another position density.
    #[must_use]
    pub const fn with_positions(mut self, positions: PositionDensity) -> Self {
        self.positions = positions;
        self
    }

    /// With or without filter push-down.
    #[must_use]
    pub const fn with_filter_pushdown(mut self, pushdown: bool) -> Self {
        self.filter_pushdown = pushdown;
        self
    }
}

impl Default for Claims {
    fn default() -> Self {
        Self::portable()
    }
}
