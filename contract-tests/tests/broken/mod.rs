#![allow(dead_code)] // each test binary uses only some of the flaws

//! Deliberately broken stores: each wraps a `MemoryStore` and breaks exactly one promise, so
//! the suite can show that it catches that break.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::Duration,
};

use es_core::{
    AppendResult, Capabilities, Error, EventStore, ExpectedVersion, NewEvent, Payload, Position,
    ReadStream, RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Subscription, Version,
};
use memory_store::MemoryStore;
use parking_lot::Mutex;
use tokio::sync::watch;

/// The one promise a [`Broken`] store breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// Appends as if every expectation were `Any`.
    IgnoresExpectedVersion,
    /// Reads the version, waits, then writes "at" it; a racing writer's event is silently lost.
    LosesRacingAppends,
    /// Positions are taken at the start of a write but become visible only after a random
    /// delay, and `read_all` shows whatever is visible: it returns events past a smaller
    /// position that is not committed yet (the classic sequence-gap bug).
    ReadsPastUncommitted,
    /// `read_all` returns each page sorted by stream and version instead of position.
    ReordersReadAll,
    /// `append_multi` writes stream after stream and stops at the first failure.
    PartialMultiAppend,
    /// Astral-plane characters in payloads become U+FFFD (a 3-byte UTF-8 column).
    MangleAstralUnicode,
    /// NUL characters in payloads are dropped.
    DropsNul,
    /// Numbers in payloads go through f64, as in JavaScript.
    NumbersAsF64,
    /// Checks the expectation before recognising an exact re-send, so a re-send conflicts.
    IgnoresIdempotency,
    /// `read_all` treats `from` as exclusive.
    ReadAllFromExclusive,
    /// A backward stream read ignores its start version.
    BackwardIgnoresFrom,
    /// `save_snapshot` always replaces the kept snapshot, even with an older one.
    OlderSnapshotWins,
    /// Subscriptions start after `from` instead of at it.
    SubscribeFromExclusive,
    /// Writes a batch event by event, so readers can see part of it.
    WritesOneByOne,
    /// Declares no optional capability (a correct store, not a broken one).
    NoCapabilities,
}

/// A memory store with one flaw.
#[derive(Clone)]
pub struct Broken {
    inner: MemoryStore,
    flaw: Flaw,
    /// Positions written but not yet "committed" (only for `ReadsPastUncommitted`).
    pending: Arc<Mutex<BTreeSet<Position>>>,
    snapshots: Arc<Mutex<HashMap<StreamId, Snapshot>>>,
    wake: Arc<watch::Sender<u64>>,
}

impl Broken {
    pub fn new(flaw: Flaw) -> Self {
        Self {
            inner: MemoryStore::new(),
            flaw,
            pending: Arc::default(),
            snapshots: Arc::default(),
            wake: Arc::new(watch::Sender::new(0)),
        }
    }

    fn mangle(&self, events: Vec<NewEvent>) -> Vec<NewEvent> {
        let change: fn(&str) -> String = match self.flaw {
            Flaw::MangleAstralUnicode => |text| {
                text.chars()
                    .map(|c| if c > '\u{FFFF}' { '\u{FFFD}' } else { c })
                    .collect()
            },
            Flaw::DropsNul => |text| text.replace("\\u0000", "").replace('\0', ""),
            Flaw::NumbersAsF64 => |text| {
                let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
                serde_json::to_string(&as_f64(value)).unwrap_or_default()
            },
            _ => return events,
        };
        events
            .into_iter()
            .map(|mut event| {
                if let Ok(payload) = Payload::from_json(change(event.payload.as_str())) {
                    event.payload = payload;
                }
                event
            })
            .collect()
    }

    async fn lossy_append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let current = self.inner.stream_version(stream).await?;
        if expected != ExpectedVersion::Any && !expected.accepts(current) {
            return self.inner.append(stream, expected, events).await;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
        let count = events.len() as u64;
        match self
            .inner
            .append(stream, ExpectedVersion::from_current(current), events)
            .await
        {
            Err(Error::Conflict { .. }) => Ok(AppendResult {
                // Pretend it worked: the lost update.
                stream_id: stream.clone(),
                first_version: Version::after(current, 1),
                last_version: Version::after(current, count),
                first_position: Position::new(1),
                last_position: Position::new(count),
            }),
            other => other,
        }
    }

    /// Holds the written positions invisible for a random moment before "committing" them.
    async fn commit_late(&self, results: &[AppendResult]) {
        {
            let mut pending = self.pending.lock();
            for result in results {
                for p in result.first_position.get()..=result.last_position.get() {
                    pending.insert(Position::new(p));
                }
            }
        }
        tokio::time::sleep(Duration::from_micros(fastrand::u64(0..2_000))).await;
        {
            let mut pending = self.pending.lock();
            for result in results {
                for p in result.first_position.get()..=result.last_position.get() {
                    pending.remove(&Position::new(p));
                }
            }
        }
        self.wake.send_modify(|n| *n += 1);
    }
}

fn as_f64(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(as_f64).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_f64(v))).collect()),
        other => other,
    }
}

impl EventStore for Broken {
    fn capabilities(&self) -> Capabilities {
        match self.flaw {
            Flaw::NoCapabilities => Capabilities::NONE,
            _ => Capabilities::ALL,
        }
    }

    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let events = self.mangle(events);
        match self.flaw {
            Flaw::IgnoresExpectedVersion => {
                self.inner
                    .append(stream, ExpectedVersion::Any, events)
                    .await
            }
            Flaw::LosesRacingAppends => self.lossy_append(stream, expected, events).await,
            Flaw::IgnoresIdempotency => {
                let actual = self.inner.stream_version(stream).await?;
                if !expected.accepts(actual) {
                    return Err(Error::Conflict {
                        stream: stream.clone(),
                        expected,
                        actual,
                    });
                }
                self.inner.append(stream, expected, events).await
            }
            Flaw::WritesOneByOne if events.len() > 1 => {
                let mut events = events.into_iter();
                let first = events.next().into_iter().collect();
                let mut result = self.inner.append(stream, expected, first).await?;
                for event in events {
                    // One round trip per event, as a store without a transaction would make.
                    tokio::time::sleep(Duration::from_micros(300)).await;
                    let next = self
                        .inner
                        .append(stream, ExpectedVersion::Any, vec![event])
                        .await?;
                    result.last_version = next.last_version;
                    result.last_position = next.last_position;
                }
                Ok(result)
            }
            Flaw::ReadsPastUncommitted => {
                let result = self.inner.append(stream, expected, events).await?;
                self.commit_late(std::slice::from_ref(&result)).await;
                Ok(result)
            }
            _ => self.inner.append(stream, expected, events).await,
        }
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let appends: Vec<_> = appends
            .into_iter()
            .map(|mut a| {
                a.events = self.mangle(a.events);
                if self.flaw == Flaw::IgnoresExpectedVersion {
                    a.expected = ExpectedVersion::Any;
                }
                a
            })
            .collect();
        match self.flaw {
            Flaw::PartialMultiAppend => {
                let mut results = Vec::new();
                for append in appends {
                    results.push(
                        self.inner
                            .append(&append.stream, append.expected, append.events)
                            .await?,
                    );
                }
                Ok(results)
            }
            Flaw::ReadsPastUncommitted => {
                let results = self.inner.append_multi(appends).await?;
                self.commit_late(&results).await;
                Ok(results)
            }
            _ => self.inner.append_multi(appends).await,
        }
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let mut read = read;
        if self.flaw == Flaw::BackwardIgnoresFrom && read.direction == es_core::Direction::Backward
        {
            read.from = None;
        }
        self.inner.read_stream(stream, read).await
    }

    async fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        match self.flaw {
            Flaw::ReordersReadAll => {
                let mut page = self.inner.read_all(from, limit).await?;
                page.sort_by(|a, b| (&a.stream_id, a.version).cmp(&(&b.stream_id, b.version)));
                Ok(page)
            }
            Flaw::ReadAllFromExclusive => self.inner.read_all(from.next(), limit).await,
            Flaw::ReadsPastUncommitted => {
                let page = self.inner.read_all(from, usize::MAX).await?;
                let pending = self.pending.lock();
                Ok(page
                    .into_iter()
                    .filter(|e| !pending.contains(&e.position))
                    .take(limit)
                    .collect())
            }
            _ => self.inner.read_all(from, limit).await,
        }
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<Option<Version>> {
        self.inner.stream_version(stream).await
    }

    async fn subscribe(&self, from: Position) -> Result<Subscription> {
        match self.flaw {
            Flaw::SubscribeFromExclusive => self.inner.subscribe(from.next()).await,
            Flaw::ReadsPastUncommitted => Ok(Subscription::catch_up(
                self.clone(),
                from,
                64,
                self.wake.subscribe(),
                Some(Duration::from_millis(5)),
            )),
            _ => self.inner.subscribe(from).await,
        }
    }

    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots
                .lock()
                .insert(snapshot.stream_id.clone(), snapshot);
            return Ok(());
        }
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        if self.flaw == Flaw::OlderSnapshotWins {
            return Ok(self.snapshots.lock().get(stream).cloned());
        }
        self.inner.load_snapshot(stream).await
    }

    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots.lock().remove(stream);
        }
        self.inner.delete_stream(stream, expected).await
    }
}
