//! The store's state and the rules that change it, without locks or async.

use std::collections::HashMap;

use es_core::{
    AppendResult, Direction, Error, EventId, ExpectedVersion, NewEvent, Position, ReadStream,
    RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Version, chrono::Utc,
};

/// Everything the store holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The global log: slot `p - 1` holds the event at position `p`; `None` once deleted.
    log: Vec<Option<RecordedEvent>>,
    /// Each stream's events as positions; index `v - 1` is version `v`.
    streams: HashMap<StreamId, Vec<Position>>,
    /// Every stored event id and its position.
    ids: HashMap<EventId, Position>,
    snapshots: HashMap<StreamId, Snapshot>,
}

/// What an append found about ids it carries.
enum Repeat {
    /// None of its ids is stored.
    Fresh,
    /// It is an exact re-send of stored events; this was their result.
    Of(AppendResult),
}

impl State {
    pub(crate) fn head(&self) -> Position {
        Position::new(self.log.len() as u64)
    }

    pub(crate) fn stream_version(&self, stream: &StreamId) -> Option<Version> {
        self.streams
            .get(stream)
            .and_then(|positions| Version::new(positions.len() as u64))
    }

    fn event_at(&self, position: Position) -> Option<&RecordedEvent> {
        let index = usize::try_from(position.get().checked_sub(1)?).ok()?;
        self.log.get(index)?.as_ref()
    }

    /// Appends to one stream; the batch was validated by the caller.
    pub(crate) fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        if let Repeat::Of(result) = self.repeat(stream, &events)? {
            return Ok(result);
        }
        self.check_expected(stream, expected)?;
        Ok(self.write(stream, events))
    }

    /// Appends to several streams, all or nothing; the appends were validated by the caller.
    pub(crate) fn append_multi(&mut self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
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
        Ok(appends
            .into_iter()
            .map(|append| self.write(&append.stream, append.events))
            .collect())
    }

    fn check_expected(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let actual = self.stream_version(stream);
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

    /// Decides whether `events` are new, an exact re-send of stored ones, or a reuse of ids.
    fn repeat(&self, stream: &StreamId, events: &[NewEvent]) -> Result<Repeat> {
        let Some(stored) = events.iter().find_map(|e| self.ids.get(&e.id)) else {
            return Ok(Repeat::Fresh);
        };
        let first = self
            .event_at(*stored)
            .ok_or_else(|| unreachable_state("an id points at an empty slot"))?;
        let positions = self
            .streams
            .get(&first.stream_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let start = usize::try_from(first.version.get() - 1).unwrap_or(usize::MAX);
        let same_run = first.stream_id == *stream
            && first.id == events[0].id
            && positions.len() >= start.saturating_add(events.len())
            && events
                .iter()
                .zip(&positions[start..])
                .all(|(new, &p)| self.event_at(p).is_some_and(|old| old.matches(new)));
        if !same_run {
            let reused = events
                .iter()
                .find(|e| self.ids.contains_key(&e.id))
                .map_or(first.id, |e| e.id);
            return Err(self.duplicate(reused));
        }
        let last = self
            .event_at(positions[start + events.len() - 1])
            .ok_or_else(|| unreachable_state("a stream points at an empty slot"))?;
        Ok(Repeat::Of(AppendResult {
            stream_id: stream.clone(),
            first_version: first.version,
            last_version: last.version,
            first_position: first.position,
            last_position: last.position,
        }))
    }

    fn duplicate(&self, id: EventId) -> Error {
        let stream = self
            .ids
            .get(&id)
            .and_then(|p| self.event_at(*p))
            .map(|e| e.stream_id.clone());
        match stream {
            Some(stream) => Error::DuplicateEventId { id, stream },
            None => unreachable_state("a duplicate id is not stored"),
        }
    }

    fn write(&mut self, stream: &StreamId, events: Vec<NewEvent>) -> AppendResult {
        let recorded_at = Utc::now();
        let positions = self.streams.entry(stream.clone()).or_default();
        let first_version = Version::after(Version::new(positions.len() as u64), 1);
        let first_position = Position::new(self.log.len() as u64 + 1);
        let mut version = first_version;
        let mut position = first_position;
        for event in events {
            self.ids.insert(event.id, position);
            positions.push(position);
            self.log.push(Some(RecordedEvent {
                id: event.id,
                stream_id: stream.clone(),
                version,
                position,
                event_type: event.event_type,
                payload: event.payload,
                metadata: event.metadata,
                recorded_at,
            }));
            version = version.next();
            position = position.next();
        }
        AppendResult {
            stream_id: stream.clone(),
            first_version,
            last_version: Version::after(Version::new(positions.len() as u64), 0),
            first_position,
            last_position: Position::new(self.log.len() as u64),
        }
    }

    pub(crate) fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Vec<RecordedEvent> {
        let Some(positions) = self.streams.get(stream) else {
            return Vec::new();
        };
        // Version v sits at index v - 1; `from` is inclusive in both directions.
        let len = positions.len();
        let from = read.from.map(|v| to_index(v.get()));
        let pick = |p: &Position| self.event_at(*p).cloned();
        match read.direction {
            Direction::Forward => {
                let start = from.map_or(0, |v| (v - 1).min(len));
                positions[start..]
                    .iter()
                    .filter_map(pick)
                    .take(read.limit)
                    .collect()
            }
            Direction::Backward => {
                let end = from.map_or(len, |v| v.min(len));
                positions[..end]
                    .iter()
                    .rev()
                    .filter_map(pick)
                    .take(read.limit)
                    .collect()
            }
        }
    }

    pub(crate) fn read_all(&self, from: Position, limit: usize) -> Vec<RecordedEvent> {
        let start = to_index(from.get().saturating_sub(1)).min(self.log.len());
        self.log[start..]
            .iter()
            .flatten()
            .take(limit)
            .cloned()
            .collect()
    }

    pub(crate) fn save_snapshot(&mut self, snapshot: Snapshot) {
        match self.snapshots.get(&snapshot.stream_id) {
            Some(kept) if kept.version > snapshot.version => {}
            _ => {
                self.snapshots.insert(snapshot.stream_id.clone(), snapshot);
            }
        }
    }

    pub(crate) fn load_snapshot(&self, stream: &StreamId) -> Option<Snapshot> {
        self.snapshots.get(stream).cloned()
    }

    pub(crate) fn delete_stream(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
    ) -> Result<()> {
        self.check_expected(stream, expected)?;
        self.snapshots.remove(stream);
        for position in self.streams.remove(stream).unwrap_or_default() {
            let slot = self.log.get_mut(to_index(position.get() - 1));
            if let Some(event) = slot.and_then(Option::take) {
                self.ids.remove(&event.id);
            }
        }
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
        source: None,
    }
}
