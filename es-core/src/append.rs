//! What an append asks for and what it reports.

use crate::{EventRef, ExpectedVersion, NewEvent, StreamId};

/// One stream's append: the stream, what its version must be, the events, and optionally the
/// stream's head as the caller last saw it.
///
/// The head hint lets a provider whose optimistic check is not by version (JetStream checks
/// the sequence of the subject's last message) skip a lookup; it must describe the version that
/// [`ExpectedVersion::Exact`] names, and providers that do not need it ignore it.
///
/// ```
/// use es_core::{ExpectedVersion, NewEvent, StreamAppend, StreamId};
///
/// let transfer = vec![
///     StreamAppend::new(StreamId::new("account-a")?, ExpectedVersion::Any,
///         [NewEvent::from_json("Debited", r#"{"amount":5}"#)?]),
///     StreamAppend::new(StreamId::new("account-b")?, ExpectedVersion::Any,
///         [NewEvent::from_json("Credited", r#"{"amount":5}"#)?]),
/// ];
/// assert_eq!(transfer.len(), 2);
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StreamAppend {
    /// The stream to append to.
    pub stream: StreamId,
    /// What the stream's version must be.
    pub expected: ExpectedVersion,
    /// The events to append.
    pub events: Vec<NewEvent>,
    /// The stream's head as the caller saw it (only with [`ExpectedVersion::Exact`]).
    pub head: Option<EventRef>,
}

impl StreamAppend {
    /// An append of `events` to `stream` if its version meets `expected`.
    pub fn new(
        stream: StreamId,
        expected: ExpectedVersion,
        events: impl IntoIterator<Item = NewEvent>,
    ) -> Self {
        Self {
            stream,
            expected,
            events: events.into_iter().collect(),
            head: None,
        }
    }

    /// Passes the stream's head as last seen (its version must be the `Exact` one).
    #[must_use]
    pub fn with_head(mut self, head: Option<EventRef>) -> Self {
        self.head = head;
        self
    }
}

/// What one append wrote: where its first and its last event are.
///
/// Positions strictly increase within a batch in version order, but need not be contiguous.
/// A position says where an event is in the global order; it is not a safe place to resume
/// reading (an earlier transaction may still commit below it on some stores): resume from a
/// [`Checkpoint`](crate::Checkpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppendResult {
    /// The stream appended to.
    pub stream_id: StreamId,
    /// The batch's first event.
    pub first: EventRef,
    /// The batch's last event: the stream's head after the append.
    pub last: EventRef,
}

impl AppendResult {
    /// What an append to `stream_id` wrote (providers only).
    pub fn new(stream_id: StreamId, first: EventRef, last: EventRef) -> Self {
        Self {
            stream_id,
            first,
            last,
        }
    }
}
