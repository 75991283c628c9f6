//! The limits every provider enforces, so that a batch accepted by one is accepted by all.

/// The most bytes a [`StreamId`](crate::StreamId) may have.
pub const MAX_STREAM_ID_BYTES: usize = 255;

/// The most bytes an [`EventType`](crate::EventType) name may have.
pub const MAX_EVENT_TYPE_BYTES: usize = 255;

/// The most events one append (or one stream of a multi-stream append) may carry.
pub const MAX_EVENTS_PER_APPEND: usize = 1_000;

/// The most bytes one event's serialized payload may have (1 MiB).
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;
