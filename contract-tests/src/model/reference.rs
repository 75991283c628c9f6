//! The reference model: the store contract in the plainest code, without positions or time.

use std::collections::HashMap;

use es_core::{Direction, EventId, ExpectedVersion, NewEvent, ReadStream, StreamId};

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
    /// Events read, as ids with the content checked separately.
    Events(Vec<EventId>),
    /// A stream head: (version, id of the last event).
    Head(Option<(u64, EventId)>),
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
    /// False once its stream was deleted past it.
    pub live: bool,
    /// The log index of its batch's first event, and the batch's size.
    pub batch: (usize, usize),
}

/// One stream of the reference: every version it ever had, which of them still read, and
/// whether it is tombstoned.
#[derive(Clone, Debug, Default)]
struct Stream {
    /// Log indexes; index `v - 1` is version `v`.
    versions: Vec<usize>,
    live_from: usize,
    tombstoned: bool,
}

/// The reference store.
#[derive(Debug, Default)]
pub struct Reference {
    /// Every event in commit order, deleted ones included (their ids stay reserved).
    log: Vec<Stored>,
    streams: HashMap<StreamId, Stream>,
    ids: HashMap<EventId, usize>,
}

impl Reference {
    /// The live events in commit order.
    pub fn live(&self) -> Vec<&Stored> {
        self.log.iter().filter(|e| e.live).collect()
    }

    /// A stored event by id (deleted ones included).
    pub fn get(&self, id: &EventId) -> Option<&Stored> {
        self.ids.get(id).map(|&i| &self.log[i])
    }

    fn live_version(&self, stream: &StreamId) -> Option<u64> {
        self.streams
            .get(stream)
            .filter(|s| s.live_from < s.versions.len())
            .map(|s| s.versions.len() as u64)
    }

    fn tombstoned(&self, stream: &StreamId) -> bool {
        self.streams.get(stream).is_some_and(|s| s.tombstoned)
    }

    /// `stream_head`.
    pub fn stream_head(&self, stream: &StreamId) -> Answer {
        if self.tombstoned(stream) {
            return Answer::Rejected("StreamDeleted");
        }
        let head = self.live_version(stream).and_then(|v| {
            let s = &self.streams[stream];
            s.versions.last().map(|&i| (v, self.log[i].new.id))
        });
        Answer::Head(head)
    }

    fn check(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<(), Answer> {
        if self.tombstoned(stream) {
            return Err(Answer::Rejected("StreamDeleted"));
        }
        let actual = self.live_version(stream);
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

    /// Whether `events` are fresh (`Ok(false)`), an exact re-send of stored ones, deleted or not
    /// (`Ok(true)`), or a reuse of stored ids (`Err`).
    fn resend(&self, stream: &StreamId, events: &[NewEvent]) -> Result<bool, Answer> {
        if !events.iter().any(|e| self.ids.contains_key(&e.id)) {
            return Ok(false);
        }
        let Some(first) = self.get(&events[0].id) else {
            return Err(Answer::Rejected("DuplicateEventId"));
        };
        let versions = &self.streams[&first.stream].versions;
        let start = (first.version - 1) as usize;
        let whole_batch = first.batch == (versions[start], events.len());
        let same = whole_batch
            && first.stream == *stream
            && versions.len() >= start + events.len()
            && events.iter().zip(&versions[start..]).all(|(new, &i)| {
                let old = &self.log[i].new;
                old.id == new.id
                    && old.event_type == new.event_type
                    && old.metadata == new.metadata
                    && old.payload.json_eq(&new.payload)
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
        let entry = self.streams.entry(stream.clone()).or_default();
        let first = entry.versions.len() as u64 + 1;
        let batch = (self.log.len(), events.len());
        for (n, new) in events.iter().enumerate() {
            let index = self.log.len();
            self.log.push(Stored {
                new: new.clone(),
                stream: stream.clone(),
                version: first + n as u64,
                live: true,
                batch,
            });
            entry.versions.push(index);
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
        if self.tombstoned(stream) {
            return Answer::Rejected("StreamDeleted");
        }
        let Some(s) = self.streams.get(stream) else {
            return Answer::Events(Vec::new());
        };
        let mut events: Vec<_> = s.versions[s.live_from..]
            .iter()
            .map(|&i| &self.log[i])
            .filter(|e| es_core::Version::new(e.version).is_some_and(|v| read.includes(v)))
            .map(|e| e.new.id)
            .collect();
        if read.direction == Direction::Backward {
            events.reverse();
        }
        events.truncate(read.limit);
        Answer::Events(events)
    }

    /// `delete_stream` (soft) or `tombstone_stream` (`hard`).
    pub fn delete_stream(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        hard: bool,
    ) -> Answer {
        if let Err(refused) = self.check(stream, expected) {
            return refused;
        }
        if !hard && !self.streams.contains_key(stream) {
            return Answer::Done;
        }
        let s = self.streams.entry(stream.clone()).or_default();
        for &index in &s.versions[s.live_from..] {
            self.log[index].live = false;
        }
        s.live_from = s.versions.len();
        s.tombstoned |= hard;
        Answer::Done
    }
}
