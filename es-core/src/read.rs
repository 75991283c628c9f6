//! What a read asks for and what it gets: one stream, or the global order in pages.

use crate::{Category, Checkpoint, DomainEvent, Error, EventType, RecordedEvent, Version};

/// Which way to read a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Oldest first.
    Forward,
    /// Newest first.
    Backward,
}

/// How to read one stream: direction, where to start (inclusive) and how many events at most.
///
/// ```
/// use es_core::{Direction, ReadStream, Version};
///
/// let last_ten = ReadStream::backward().limit(10);
/// assert_eq!(last_ten.direction, Direction::Backward);
/// let tail = ReadStream::forward().from_version(Version::new(5).unwrap());
/// assert_eq!(tail.from, Version::new(5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadStream {
    /// Oldest first or newest first.
    pub direction: Direction,
    /// The first version to read (inclusive); `None`: the stream's start (forward) or end
    /// (backward).
    pub from: Option<Version>,
    /// The most events to return.
    pub limit: usize,
}

impl ReadStream {
    /// The whole stream, oldest first.
    pub const fn forward() -> Self {
        Self {
            direction: Direction::Forward,
            from: None,
            limit: usize::MAX,
        }
    }

    /// The whole stream, newest first.
    pub const fn backward() -> Self {
        Self {
            direction: Direction::Backward,
            from: None,
            limit: usize::MAX,
        }
    }

    /// Starts at `version` (inclusive).
    #[must_use]
    pub const fn from_version(mut self, version: Version) -> Self {
        self.from = Some(version);
        self
    }

    /// Returns at most `limit` events.
    #[must_use]
    pub const fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Whether an event of this `version` falls in the read's range (ignoring the limit).
    pub fn includes(&self, version: Version) -> bool {
        match (self.direction, self.from) {
            (_, None) => true,
            (Direction::Forward, Some(from)) => version >= from,
            (Direction::Backward, Some(from)) => version <= from,
        }
    }
}

/// Where a read of the global order starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// Before every event.
    Beginning,
    /// Just after everything a checkpoint covers.
    After(Checkpoint),
    /// At the head: nothing stored now, only what is committed later.
    Head,
}

/// Which events a read of the global order wants: by event type and by stream category. Both
/// given: an event must match both. The store filters before returning (PostgreSQL in SQL), and
/// the page's checkpoint moves past what it skipped.
///
/// ```
/// use es_core::{Category, EventFilter, EventType};
///
/// let deposits = EventFilter::all()
///     .with_event_types([EventType::new("Deposited")?])
///     .with_categories([Category::new("account")?]);
/// assert!(!deposits.is_all());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventFilter {
    /// Only events of these types (`None`: any type).
    pub event_types: Option<Vec<EventType>>,
    /// Only events of streams in these categories (`None`: any stream).
    pub categories: Option<Vec<Category>>,
}

impl EventFilter {
    /// Every event.
    pub fn all() -> Self {
        Self::default()
    }

    /// Only events of these types.
    #[must_use]
    pub fn with_event_types(mut self, types: impl IntoIterator<Item = EventType>) -> Self {
        self.event_types = Some(types.into_iter().collect());
        self
    }

    /// Only events of streams in these categories.
    #[must_use]
    pub fn with_categories(mut self, categories: impl IntoIterator<Item = Category>) -> Self {
        self.categories = Some(categories.into_iter().collect());
        self
    }

    /// Only the events a domain type `E` reads: the names in [`DomainEvent::EVENT_TYPES`] plus
    /// `stored_types` (old names that upcasters rename, see
    /// [`Upcasters::stored_types`](crate::Upcasters::stored_types)).
    pub fn for_events<E: DomainEvent>(
        stored_types: impl IntoIterator<Item = String>,
    ) -> Result<Self, Error> {
        let mut types = E::EVENT_TYPES
            .iter()
            .map(EventType::new)
            .collect::<Result<Vec<_>, _>>()?;
        for name in stored_types {
            let name = EventType::new(name)?;
            if !types.contains(&name) {
                types.push(name);
            }
        }
        Ok(Self::all().with_event_types(types))
    }

    /// Whether every event passes.
    pub fn is_all(&self) -> bool {
        self.event_types.is_none() && self.categories.is_none()
    }

    /// Whether `event` passes.
    pub fn matches(&self, event: &RecordedEvent) -> bool {
        let type_ok = self
            .event_types
            .as_ref()
            .is_none_or(|types| types.contains(&event.event_type));
        let category_ok = self.categories.as_ref().is_none_or(|categories| {
            categories
                .iter()
                .any(|category| event.stream_id.is_in(category))
        });
        type_ok && category_ok
    }
}

/// How many events a page of the global order holds unless the request says otherwise.
pub const DEFAULT_PAGE: usize = 1_000;

/// A request for one page of the global order: where to start, how many events at most, which
/// ones.
///
/// ```
/// use es_core::{EventFilter, ReadAll, Start};
///
/// let first = ReadAll::from_beginning().limit(100);
/// assert_eq!(first.start, Start::Beginning);
/// let live = ReadAll::from_head().filter(EventFilter::all());
/// assert_eq!(live.start, Start::Head);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadAll {
    /// Where to start.
    pub start: Start,
    /// The most events to return ([`DEFAULT_PAGE`] unless set).
    pub limit: usize,
    /// Which events.
    pub filter: EventFilter,
}

impl ReadAll {
    /// From before every event.
    pub fn from_beginning() -> Self {
        Self::new(Start::Beginning)
    }

    /// From just after `checkpoint`.
    pub fn after(checkpoint: Checkpoint) -> Self {
        Self::new(Start::After(checkpoint))
    }

    /// From the head: an empty page whose checkpoint is where later events will be.
    pub fn from_head() -> Self {
        Self::new(Start::Head)
    }

    /// From `start`.
    pub fn new(start: Start) -> Self {
        Self {
            start,
            limit: DEFAULT_PAGE,
            filter: EventFilter::all(),
        }
    }

    /// At most `limit` events.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Only events that pass `filter`.
    #[must_use]
    pub fn filter(mut self, filter: EventFilter) -> Self {
        self.filter = filter;
        self
    }
}

/// Why a page ended where it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageState {
    /// The page is full: read again from its checkpoint right away.
    More,
    /// Nothing more was committed past the checkpoint when the page was read.
    CaughtUp,
    /// Events past the checkpoint exist but are not yet safe to return (a transaction that may
    /// still commit below them is in flight). Not the end: read again shortly.
    HeldBack,
}

/// One page of the global order: events in position order, the checkpoint to resume from and
/// why the page ended.
///
/// ```
/// use es_core::{Checkpoint, Page, PageState};
///
/// let empty = Page::new(Vec::new(), Checkpoint::beginning(), PageState::CaughtUp);
/// assert!(empty.is_caught_up());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The events, in position order.
    pub events: Vec<RecordedEvent>,
    /// Where the next page starts ([`ReadAll::after`]); covers every event of this page and
    /// whatever the filter skipped, valid even when the page is empty.
    pub checkpoint: Checkpoint,
    /// Why the page ended.
    pub state: PageState,
    /// For a [`PageState::HeldBack`] page, what holds it back, when the store can tell
    /// (PostgreSQL names the backend, how long its transaction has run and what it runs).
    pub held_back_by: Option<String>,
}

impl Page {
    /// A page (providers only).
    pub fn new(events: Vec<RecordedEvent>, checkpoint: Checkpoint, state: PageState) -> Self {
        Self {
            events,
            checkpoint,
            state,
            held_back_by: None,
        }
    }

    /// A held-back page and what holds it back (providers only).
    pub fn held_back(
        events: Vec<RecordedEvent>,
        checkpoint: Checkpoint,
        by: Option<String>,
    ) -> Self {
        Self {
            events,
            checkpoint,
            state: PageState::HeldBack,
            held_back_by: by,
        }
    }

    /// Whether nothing more was committed past the checkpoint.
    pub fn is_caught_up(&self) -> bool {
        self.state == PageState::CaughtUp
    }
}

/// A request for a subscription to the global order: where it starts and which events it wants.
///
/// ```
/// use es_core::{Start, Subscribe};
///
/// assert_eq!(Subscribe::from_head().start, Start::Head);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscribe {
    /// Where to start.
    pub start: Start,
    /// Which events.
    pub filter: EventFilter,
}

impl Subscribe {
    /// Every event, stored ones first.
    pub fn from_beginning() -> Self {
        Self::new(Start::Beginning)
    }

    /// Every event after `checkpoint`.
    pub fn after(checkpoint: Checkpoint) -> Self {
        Self::new(Start::After(checkpoint))
    }

    /// Only events committed from now on.
    pub fn from_head() -> Self {
        Self::new(Start::Head)
    }

    /// From `start`.
    pub fn new(start: Start) -> Self {
        Self {
            start,
            filter: EventFilter::all(),
        }
    }

    /// Only events that pass `filter`.
    #[must_use]
    pub fn filter(mut self, filter: EventFilter) -> Self {
        self.filter = filter;
        self
    }
}
