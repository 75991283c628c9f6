//! The portable floor: limits every provider accepts at least, so that a batch within them is
//! accepted by all. A provider states its own limits in [`Claims`](crate::Claims) (never
//! lower than these) and the contract suite checks them.

/// The most bytes a [`StreamId`](crate::StreamId) may have.
pub const MAX_STREAM_ID_BYTES: usize = 255;

/// The most bytes an [`EventType`](crate::EventType) name may have.
pub const MAX_EVENT_TYPE_BYTES: usize = 255;

/// The most bytes a [`Category`](crate::Category) may have.
pub const MAX_CATEGORY_BYTES: usize = 64;

/// The most events one append (or one stream of a multi-stream append) may carry on every
/// provider.
pub const MAX_EVENTS_PER_APPEND: usize = 1_000;

/// The most events one call may carry in all, over every stream of a multi-stream append, on
/// every provider (an atomic batch on JetStream holds at most 1,000 messages).
pub const MAX_EVENTS_PER_CALL: usize = 1_000;

/// The most bytes one event's serialized payload may have on every provider (512 KiB: a
/// JetStream message of 1 MiB must also hold the metadata and the headers).
pub const MAX_PAYLOAD_BYTES: usize = 512 << 10;

/// The deepest nesting of arrays and objects a payload, metadata or snapshot state may have:
/// the deepest that `serde_json` reads back into a value (its recursion limit is 128), so that
/// nothing is stored that cannot be read.
pub const MAX_JSON_DEPTH: usize = 127;
