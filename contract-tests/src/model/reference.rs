//! The reference model: the store contract in the plainest code, without positions or time.

use std::collections::HashMap;

use es_core::{Direction, EventId, ExpectedVersion, NewEvent, Payload, ReadStream, StreamId};

/// What the reference answers; compared with the store's answer abstracted the same way.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Written fresh: per stream, (stream, first version, last version).
    Appended(Vec<(StreamId, u64, u64)>),
    /// An exact re-send of the append whose first event has this id: the store must answer
    /// what it answered then.
    Resent(Vec<EventId>),
    /// A failed expectation.
    Conflict {
        /// The stream whose expectation failed.
        stream: StreamId,
        /// What was expected.
        expected: ExpectedVersion,
        /// Its version (`None`: no stream).
        actual: Option<u64>,
    },
    /// Another typed error, by variant name.
    Rejected(&'static str),
    /// Events read, as (id, stream, version) with the content checked separately.
    Events(Vec<EventId>),
    /// A stream version.
    Version(Option<u64>),
    /// A snapshot (version, state).
    Snapshot(Option<(u64, Payload)>),
    /// Done, nothing to compare.
    Done,
}

/// One stored event of the reference.
#[derive(Clone, Debug)]
pub struct Stored {
    /// As it was sent.
    pub new: NewEvent,
    /// Its stream.
    pub stream: StreamId,
    /// Its version.
    pub version: u64,
}

/// The reference store.
#[derive(Debug, Default)]
pub struct Reference {
    /// Every event in commit order; `None` once deleted.
    log: Vec<Option<Stored>>,
    streams: HashMap<StreamId, Vec<usize>>,
    ids: HashMap<EventId, usize>,
    snapshots: HashMap<StreamId, (u64, Payload)>,
}

impl Reference {
    /// The live events in commit order.
    pub fn live(&self) -> Vec<&Stored> {
        self.log.iter().flatten().collect()
    }

    /// A stored event by id.
    pub fn get(&self, id: &EventId) -> Option<&Stored> {
        self.ids.get(id).and_then(|&i| self.log[i].as_ref())
    }

    fn version(&self, stream: &StreamId) -> Option<u64> {
        self.streams
            .get(stream)
            .map(|v| v.len() as u64)
            .filter(|&n| n > 0)
    }

    /// `stream_version`.
    pub fn stream_version(&self, stream: &StreamId) -> Answer {
        Answer::Version(self.version(stream))
    }

    fn check(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<(), Answer> {
        let actual = self.version(stream);
        if expected.accepts(actual.and_then(es_core::Version::new)) {
            Ok(())
        } else {
            Err(Answer::Conflict {
                stream: stream.clone(),
                expected,
                actual,
            })
        }
    }

    /// Whether `events` are fresh (`Ok(false)`), an exact re-send of stored ones (`Ok(true)`),
    /// or a reuse of stored ids (`Err`).
    fn resend(&self, stream: &StreamId, events: &[NewEvent]) -> Result<bool, Answer> {
        if !events.iter().any(|e| self.ids.contains_key(&e.id)) {
            return Ok(false);
        }
        let Some(first) = self.get(&events[0].id) else {
            return Err(Answer::Rejected("DuplicateEventId"));
        };
        let positions = &self.streams[&first.stream];
        let start = (first.version - 1) as usize;
        let same = first.stream == *stream
            && positions.len() >= start + events.len()
            && events.iter().zip(&positions[start..]).all(|(new, &i)| {
                self.log[i].as_ref().is_some_and(|old| {
                    old.new.id == new.id
                        && old.new.event_type == new.event_type
                        && old.new.metadata == new.metadata
                        && old.new.payload.json_eq(&new.payload)
                })
            });
        if same {
            Ok(true)
        } else {
            Err(Answer::Rejected("DuplicateEventId"))
        }
    }

    fn validate(events: &[NewEvent]) -> Result<(), Answer> {
        if events.is_empty() {
            return Err(Answer::Rejected("EmptyAppend"));
        }
        let mut ids: Vec<_> = events.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Answer::Rejected("RepeatedEventId"));
        }
        Ok(())
    }

    fn write(&mut self, stream: &StreamId, events: &[NewEvent]) -> (StreamId, u64, u64) {
        let first = self.version(stream).unwrap_or(0) + 1;
        for (n, new) in events.iter().enumerate() {
            let index = self.log.len();
            self.log.push(Some(Stored {
                new: new.clone(),
                stream: stream.clone(),
                version: first + n as u64,
            }));
            self.streams.entry(stream.clone()).or_default().push(index);
            self.ids.insert(new.id, index);
        }
        (stream.clone(), first, first + events.len() as u64 - 1)
    }

    /// `append`.
    pub fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> Answer {
        self.append_multi(&[(stream.clone(), expected, events.to_vec())])
    }

    /// `append_multi` (and `append`, as one part).
    pub fn append_multi(&mut self, parts: &[(StreamId, ExpectedVersion, Vec<NewEvent>)]) -> Answer {
        let all: Vec<_> = parts.iter().flat_map(|p| p.2.iter().cloned()).collect();
        for part in parts {
            if let Err(answer) = Self::validate(&part.2) {
                return answer;
            }
        }
        if let Err(answer) = Self::validate(&all) {
            return answer;
        }
        let mut resent = Vec::new();
        for (stream, _, events) in parts {
            match self.resend(stream, events) {
                Ok(true) => resent.push(events[0].id),
                Ok(false) => {}
                Err(answer) => return answer,
            }
        }
        if resent.len() == parts.len() {
            return Answer::Resent(resent);
        }
        if !resent.is_empty() {
            return Answer::Rejected("DuplicateEventId");
        }
        for (stream, expected, _) in parts {
            if let Err(conflict) = self.check(stream, *expected) {
                return conflict;
            }
        }
        Answer::Appended(parts.iter().map(|(s, _, e)| self.write(s, e)).collect())
    }

    /// `read_stream`.
    pub fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Answer {
        let indexes = self.streams.get(stream).cloned().unwrap_or_default();
        let mut events: Vec<_> = indexes
            .iter()
            .filter_map(|&i| self.log[i].as_ref())
            .filter(|e| es_core::Version::new(e.version).is_some_and(|v| read.includes(v)))
            .map(|e| e.new.id)
            .collect();
        if read.direction == Direction::Backward {
            events.reverse();
        }
        events.truncate(read.limit);
        Answer::Events(events)
    }

    /// `save_snapshot`: the highest version wins; an equal one replaces.
    pub fn save_snapshot(&mut self, stream: &StreamId, version: u64, state: Payload) -> Answer {
        match self.snapshots.get(stream) {
            Some((kept, _)) if *kept > version => {}
            _ => {
                self.snapshots.insert(stream.clone(), (version, state));
            }
        }
        Answer::Done
    }

    /// `load_snapshot`.
    pub fn load_snapshot(&self, stream: &StreamId) -> Answer {
        Answer::Snapshot(self.snapshots.get(stream).cloned())
    }

    /// `delete_stream`.
    pub fn delete_stream(&mut self, stream: &StreamId, expected: ExpectedVersion) -> Answer {
        if let Err(conflict) = self.check(stream, expected) {
            return conflict;
        }
        self.snapshots.remove(stream);
        for index in self.streams.remove(stream).unwrap_or_default() {
            if let Some(event) = self.log[index].take() {
                self.ids.remove(&event.new.id);
            }
        }
        Answer::Done
    }
}
