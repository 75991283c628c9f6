//! The store's state and the rules that change it, without locks or async.

/// The store's maps, hashed with foldhash: keys are stream ids and event ids, hashed on every
/// append and read, where SipHash cost a sixth of an append (callgrind, 2026-12-03). foldhash
/// is seeded per process, so keys cannot be chosen to collide.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use es_core::{
    AppendResult, Checkpoint, Direction, Error, EventId, EventRef, ExpectedVersion, NewEvent, Page,
    PageState, Position, ReadAll, ReadStream, RecordedEvent, Result, Snapshot, Start, StreamAppend,
    StreamId, Version,
    chrono::{DateTime, Utc},
};

/// Everything the store holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The global log: slot `p - 1` holds the event at position `p`, deleted ones included
    /// (their ids stay reserved and an exact re-send of them is still recognised).
    log: Vec<Slot>,
    streams: HashMap<StreamId, Stream>,
    /// Every event id ever stored and its position.
    ids: HashMap<EventId, Position>,
    snapshots: HashMap<StreamId, Snapshot>,
    checkpoints: HashMap<String, Checkpoint>,
}

#[derive(Debug)]
struct Slot {
    event: RecordedEvent,
    /// False once its stream was deleted past it.
    live: bool,
    /// The position of the first event of the batch (one stream's part of one call) it was
    /// appended in, and that batch's size: only a whole batch is an exact re-send.
    batch: (Position, usize),
}

/// One stream: every version it ever had, and which of them still read.
#[derive(Debug, Default)]
struct Stream {
    /// Index `v - 1` is the position of version `v`; deleted versions stay, so numbering
    /// continues after a soft delete.
    positions: Vec<Position>,
    /// The index of the first version that still reads (== `positions.len()` when none does).
    live_from: usize,
    /// Hard-deleted: no reads, no writes, for good.
    tombstoned: bool,
}

impl Stream {
    /// The version an expectation is checked against: the last live one.
    fn live_version(&self) -> Option<Version> {
        if self.live_from < self.positions.len() {
            Version::new(self.positions.len() as u64)
        } else {
            None
        }
    }
}

/// What an append found about ids it carries.
enum Repeat {
    /// None of its ids is stored.
    Fresh,
    /// It is an exact re-send of stored events; this was their result.
    Of(AppendResult),
}

impl State {
    /// The position of the newest event (0 when there is none).
    pub(crate) fn head(&self) -> u64 {
        self.log.len() as u64
    }

    fn stream(&self, stream: &StreamId) -> Result<Option<&Stream>> {
        match self.streams.get(stream) {
            Some(s) if s.tombstoned => Err(Error::StreamDeleted {
                stream: stream.clone(),
            }),
            other => Ok(other),
        }
    }

    pub(crate) fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        let Some(s) = self.stream(stream)? else {
            return Ok(None);
        };
        if s.live_version().is_none() {
            return Ok(None);
        }
        let last = s.positions.last().and_then(|p| self.slot(*p));
        Ok(last.map(|slot| slot.event.event_ref()))
    }

    fn slot(&self, position: Position) -> Option<&Slot> {
        let index = usize::try_from(position.get().checked_sub(1)?).ok()?;
        self.log.get(index)
    }

    /// Appends to one stream; the batch was validated by the caller.
    pub(crate) fn append(
        &mut self,
        append: StreamAppend,
        now: DateTime<Utc>,
    ) -> Result<AppendResult> {
        if let Repeat::Of(result) = self.repeat(&append.stream, &append.events)? {
            return Ok(result);
        }
        self.check_expected(&append.stream, append.expected)?;
        self.write(&append.stream, append.events, now)
    }

    /// Appends to several streams, all or nothing; the appends were validated by the caller.
    pub(crate) fn append_multi(
        &mut self,
        appends: Vec<StreamAppend>,
        now: DateTime<Utc>,
    ) -> Result<Vec<AppendResult>> {
        let mut repeats = Vec::with_capacity(appends.len());
        for append in &appends {
            repeats.push(self.repeat(&append.stream, &append.events)?);
        }
        let repeated = repeats
            .iter()
            .filter(|r| matches!(r, Repeat::Of(_)))
            .count();
        if repeated == appends.len() {
            return Ok(repeats
                .into_iter()
                .filter_map(|r| match r {
                    Repeat::Of(result) => Some(result),
                    Repeat::Fresh => None,
                })
                .collect());
        }
        if repeated > 0 {
            // Part of this call is stored and part is not: it is not a re-send of one call.
            let (append, _) = appends
                .iter()
                .zip(&repeats)
                .find(|(_, r)| matches!(r, Repeat::Of(_)))
                .ok_or_else(|| unreachable_state("a repeated append vanished"))?;
            return Err(self.duplicate(append.events[0].id));
        }
        for append in &appends {
            self.check_expected(&append.stream, append.expected)?;
        }
        appends
            .into_iter()
            .map(|append| self.write(&append.stream, append.events, now))
            .collect()
    }

    fn check_expected(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let actual = self.stream(stream)?.and_then(Stream::live_version);
        if expected.accepts(actual) {
            Ok(())
        } else {
            Err(Error::Conflict {
                stream: stream.clone(),
                expected,
                actual,
            })
        }
    }

    /// Decides whether `events` are new, an exact re-send of stored ones (deleted or not), or a
    /// reuse of ids.
    fn repeat(&self, stream: &StreamId, events: &[NewEvent]) -> Result<Repeat> {
        let Some(stored) = events.iter().find_map(|e| self.ids.get(&e.id)) else {
            return Ok(Repeat::Fresh);
        };
        let first = &self
            .slot(*stored)
            .ok_or_else(|| unreachable_state("an id points at an empty slot"))?
            .event;
        let positions = self
            .streams
            .get(&first.stream_id)
            .map(|s| s.positions.as_slice())
            .unwrap_or_default();
        let start = usize::try_from(first.version.get() - 1).unwrap_or(usize::MAX);
        let whole_batch = self
            .slot(*stored)
            .is_some_and(|slot| slot.batch == (first.position, events.len()));
        let same_run = whole_batch
            && first.stream_id == *stream
            && first.id == events[0].id
            && positions.len() >= start.saturating_add(events.len())
            && events
                .iter()
                .zip(&positions[start..])
                .all(|(new, &p)| self.slot(p).is_some_and(|old| old.event.matches(new)));
        if !same_run {
            let reused = events
                .iter()
                .find(|e| self.ids.contains_key(&e.id))
                .map_or(first.id, |e| e.id);
            return Err(self.duplicate(reused));
        }
        let last = &self
            .slot(positions[start + events.len() - 1])
            .ok_or_else(|| unreachable_state("a stream points at an empty slot"))?
            .event;
        Ok(Repeat::Of(AppendResult::new(
            stream.clone(),
            first.event_ref(),
            last.event_ref(),
        )))
    }

    fn duplicate(&self, id: EventId) -> Error {
        let stream = self
            .ids
            .get(&id)
            .and_then(|p| self.slot(*p))
            .map(|slot| slot.event.stream_id.clone());
        match stream {
            Some(stream) => Error::DuplicateEventId { id, stream },
            None => unreachable_state("a duplicate id is not stored"),
        }
    }

    fn write(
        &mut self,
        stream: &StreamId,
        events: Vec<NewEvent>,
        recorded_at: DateTime<Utc>,
    ) -> Result<AppendResult> {
        let entry = self.streams.entry(stream.clone()).or_default();
        let overflow = || Error::InvalidAppend {
            stream: stream.clone(),
            reason: "its versions would pass u64::MAX".to_owned(),
        };
        let mut version =
            Version::after(Version::new(entry.positions.len() as u64), 1).ok_or_else(overflow)?;
        let mut first = None;
        let mut last = None;
        let batch = (Position::new(self.log.len() as u64 + 1), events.len());
        for event in events {
            let position = Position::new(self.log.len() as u64 + 1);
            self.ids.insert(event.id, position);
            entry.positions.push(position);
            let recorded =
                RecordedEvent::new(event, stream.clone(), version, position, recorded_at);
            let at = recorded.event_ref();
            first.get_or_insert(at);
            last = Some(at);
            self.log.push(Slot {
                event: recorded,
                live: true,
                batch,
            });
            // Only the version after the last event can overflow, and it is never used.
            version = version.next().unwrap_or(version);
        }
        match (first, last) {
            (Some(first), Some(last)) => Ok(AppendResult::new(stream.clone(), first, last)),
            _ => Err(unreachable_state("a validated append was empty")),
        }
    }

    pub(crate) fn read_stream(
        &self,
        stream: &StreamId,
        read: ReadStream,
    ) -> Result<Vec<RecordedEvent>> {
        let Some(s) = self.stream(stream)? else {
            return Ok(Vec::new());
        };
        // Version v sits at index v - 1; `from` is inclusive in both directions.
        let len = s.positions.len();
        let live = s.live_from..len;
        let from = read.from.map(|v| to_index(v.get()));
        let pick = |p: &Position| self.slot(*p).map(|slot| slot.event.clone());
        let events = match read.direction {
            Direction::Forward => {
                let start = from.map_or(0, |v| v - 1).clamp(live.start, len);
                s.positions[start..]
                    .iter()
                    .filter_map(pick)
                    .take(read.limit)
                    .collect()
            }
            Direction::Backward => {
                let end = from.map_or(len, |v| v.min(len)).max(live.start);
                s.positions[live.start..end]
                    .iter()
                    .rev()
                    .filter_map(pick)
                    .take(read.limit)
                    .collect()
            }
        };
        Ok(events)
    }

    pub(crate) fn read_all(&self, request: &ReadAll) -> Result<Page> {
        let start = match &request.start {
            Start::Beginning => 0,
            Start::After(checkpoint) => checkpoint.to_position_number()?,
            Start::Head => {
                return Ok(Page::new(
                    Vec::new(),
                    self.head_checkpoint(),
                    PageState::CaughtUp,
                ));
            }
        };
        let mut index = to_index(start).min(self.log.len());
        let mut events = Vec::new();
        while index < self.log.len() && events.len() < request.limit {
            let slot = &self.log[index];
            if slot.live && request.filter.matches(&slot.event) {
                events.push(slot.event.clone());
            }
            index += 1;
        }
        if index < self.log.len() {
            let checkpoint = Checkpoint::after(Position::new(index as u64));
            return Ok(Page::new(events, checkpoint, PageState::More));
        }
        // Caught up: the checkpoint is the head, or where the caller already is past it.
        let checkpoint = if start > self.head() {
            Checkpoint::after(Position::new(start))
        } else {
            self.head_checkpoint()
        };
        Ok(Page::new(events, checkpoint, PageState::CaughtUp))
    }

    fn head_checkpoint(&self) -> Checkpoint {
        Checkpoint::after(Position::new(self.head()))
    }

    pub(crate) fn save_snapshot(&mut self, snapshot: Snapshot) {
        match self.snapshots.get(&snapshot.stream_id) {
            Some(kept) if kept.version() > snapshot.version() => {}
            _ => {
                self.snapshots.insert(snapshot.stream_id.clone(), snapshot);
            }
        }
    }

    pub(crate) fn load_snapshot(&self, stream: &StreamId) -> Option<Snapshot> {
        self.snapshots.get(stream).cloned()
    }

    /// Soft delete (`tombstone` false) or hard delete of a stream whose version meets `expected`.
    pub(crate) fn delete_stream(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        tombstone: bool,
    ) -> Result<()> {
        self.check_expected(stream, expected)?;
        self.snapshots.remove(stream);
        if !tombstone && !self.streams.contains_key(stream) {
            return Ok(());
        }
        let s = self.streams.entry(stream.clone()).or_default();
        for position in &s.positions[s.live_from..] {
            if let Some(slot) = usize::try_from(position.get() - 1)
                .ok()
                .and_then(|i| self.log.get_mut(i))
            {
                slot.live = false;
            }
        }
        s.live_from = s.positions.len();
        s.tombstoned |= tombstone;
        Ok(())
    }

    pub(crate) fn load_checkpoint(&self, name: &str) -> Option<Checkpoint> {
        self.checkpoints.get(name).cloned()
    }

    pub(crate) fn save_checkpoint(
        &mut self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        let saved = self.checkpoints.get(name);
        if saved != expected {
            return Err(Error::CheckpointConflict {
                name: name.to_owned(),
                expected: expected.map(ToString::to_string),
                actual: saved.map(ToString::to_string),
            });
        }
        self.checkpoints.insert(name.to_owned(), checkpoint);
        Ok(())
    }
}

fn to_index(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// An internal invariant was broken; reported as a backend error rather than a panic.
fn unreachable_state(what: &str) -> Error {
    Error::Backend {
        message: format!("memory store invariant broken: {what}; please report this bug"),
        retryable: false,
        source: None,
    }
}
