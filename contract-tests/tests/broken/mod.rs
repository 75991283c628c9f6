#![allow(dead_code)] // each test binary uses only some of the flaws

//! Deliberately broken stores: each wraps a `MemoryStore` and breaks exactly one promise, so
//! the suite can show that it catches that break.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::Duration,
};

use es_core::{
    AppendResult, Checkpoint, Claims, Error, EventId, EventReader, EventRef, EventWriter,
    ExpectedVersion, NewEvent, Page, Payload, Position, ReadAll, ReadStream, RecordedEvent, Result,
    Snapshot, StreamAppend, StreamId, Subscribe, Subscription, Version, provider::CommitSignal,
};
use memory_store::MemoryStore;
use parking_lot::Mutex;

mod optional;
mod read;
mod write;

/// The one promise a [`Broken`] store breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// Appends as if every expectation were `Any`.
    IgnoresExpectedVersion,
    /// Reads the version, waits, then writes "at" it; a racing writer's event is silently lost.
    LosesRacingAppends,
    /// Positions are taken at the start of a write but become visible only after a random
    /// delay, and `read_all` shows whatever is visible, moving its checkpoint past positions
    /// that are not committed yet (the classic sequence-gap bug).
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
    /// `read_all` after a checkpoint skips the first event after it.
    ResumeSkipsOne,
    /// A backward stream read ignores its start version.
    BackwardIgnoresFrom,
    /// `save_snapshot` always replaces the kept snapshot, even with an older one.
    OlderSnapshotWins,
    /// Subscriptions after a checkpoint skip the first event after it.
    SubscribeSkipsOne,
    /// Writes a batch event by event, and a multi-append stream by stream, so readers can see
    /// part of it.
    WritesOneByOne,
    /// `read_all` ignores the filter.
    IgnoresFilter,
    /// A page whose events all fail the filter keeps the checkpoint where it started.
    FilteredCheckpointStuck,
    /// A caught-up read after a checkpoint past the head answers with the head's checkpoint,
    /// moving a reader that was ahead back to where it reads again.
    CheckpointFallsBackToHead,
    /// Subscriptions never say they are caught up.
    NeverCaughtUp,
    /// Deleting a stream restarts its numbering at 1 (the old semantics), so (stream, version)
    /// can name two events.
    DeleteRestartsNumbering,
    /// A tombstone is only a soft delete.
    TombstoneIsSoft,
    /// Deleting or tombstoning a stream keeps its snapshot, which loads after the delete.
    DeleteKeepsSnapshot,
    /// `save_checkpoint` ignores the expectation (last writer wins).
    CheckpointBlindWrite,
    /// A head hint that disagrees with the expectation is ignored instead of refused.
    AcceptsWrongHeadHint,
    /// `stream_head` names the stream's first event instead of its last.
    HeadIsFirstEvent,
    /// Keeps snapshots by version only and hands them back tied to whatever event is at that
    /// version now (the first schema did): an earlier life's snapshot looks genuine.
    SnapshotForgetsItsEvent,
    /// Claims payloads of 1,000 bytes only, below the portable floor.
    ClaimsBelowFloor,
    /// Claims 2,000 events per call but takes more.
    IgnoresCallLimit,
    /// Claims dense positions but leaves a gap before every append.
    GapsDespiteDenseClaim,
    /// On the general path (`Any` and `StreamExists` appends, every multi-append) a call that
    /// conflicts keeps its ids reserved, as if written to an id table before the check and not
    /// rolled back: the same events are refused as duplicates later.
    ConflictReservesIds,
    /// On the lean path (`NoStream` and `Exact` single-stream appends) a batch that reuses a
    /// stored id after its first event keeps the events before it, as rows inserted one by one
    /// outside a transaction would.
    LeanPathPartialOnDuplicate,
    /// A delete (soft or hard) reads the head and checks the expectation, then marks the stream
    /// a moment later without keeping appenders out in between: an `Exact(5)` append and a
    /// delete that expected version 5 can both succeed.
    DeleteRacesAppends,
    /// Locks each stream a call names, in the order it names them, and holds the locks across
    /// the write, with no deadlock detection: multi-appends that name the same streams in
    /// opposite orders wait for each other forever.
    LocksStreamsInCallOrder,
    /// A forward stream read returns the stream newest first.
    ReversesStreams,
    /// Stream reads report every version one too high.
    ReadVersionsShifted,
    /// Reading a stream nobody wrote to is an error instead of an empty list.
    MissingStreamIsError,
    /// A stream read with limit 0 ignores the limit.
    IgnoresZeroLimit,
    /// A page holding nothing never says it is caught up.
    EmptyPageNotCaughtUp,
    /// The factory's store is not empty: a leftover event of an earlier run shows in `read_all`.
    NotFresh,
    /// Event type names are cut to 200 bytes (a `varchar(200)` column).
    TruncatesTypeNames,
    /// `\"` in payload strings becomes `'` (an escaping bug).
    MangledEscapes,
    /// Metadata loses its correlation id on the way in.
    DropsCorrelation,
    /// Metadata is not stored at all: every event reads back with empty metadata.
    DropsMetadata,
    /// Metadata too deep to read back is dropped and the event stored without it.
    StoresDeepMetadataWithoutIt,
    /// An append with no events "succeeds" and stores nothing.
    AcceptsEmptyAppend,
    /// Append results report versions one too high.
    ResultsOffByOne,
    /// Ids are unique per stream only: a stored id sent to another stream is stored there.
    IdsUniquePerStream,
    /// A soft delete frees its events' ids: a late re-send stores them again.
    DeleteFreesIds,
    /// Deleting a stream that never existed is a conflict.
    DeleteMissingConflicts,
    /// Snapshots are accepted and never kept.
    SnapshotsNeverKept,
    /// One snapshot is kept for every stream.
    SnapshotsShared,
    /// A checkpoint saved over an expected one is acknowledged but not moved.
    CheckpointNeverMoves,
    /// One checkpoint is kept whatever the name.
    CheckpointsShared,
    /// Checkpoint names are not validated.
    CheckpointNamesUnchecked,
    /// A stream read returns one event more than its limit.
    LimitOffByOne,
    /// A forward stream read from past the head returns the last event again.
    PastEndRepeatsLast,
    /// Payloads holding more than 64 arrays and objects are stored as `null` (a lower limit
    /// on nesting, enforced silently and crudely).
    FlattensDeepPayloads,
    /// The re-send check compares ids only: a stored id with other content "is" a re-send.
    ResendIgnoresContent,
}

/// The hidden stream that `GapsDespiteDenseClaim` writes its gaps to.
const GAP_STREAM: &str = "broken-gap";

/// A memory store with one flaw.
#[derive(Clone)]
pub struct Broken {
    inner: MemoryStore,
    flaw: Flaw,
    /// Positions written but not yet "committed" (only for `ReadsPastUncommitted`).
    pending: Arc<Mutex<BTreeSet<Position>>>,
    snapshots: Arc<Mutex<HashMap<StreamId, Snapshot>>>,
    checkpoints: Arc<Mutex<HashMap<String, Checkpoint>>>,
    /// Streams whose numbering a delete restarted: name -> how many versions to hide.
    forgotten: Arc<Mutex<HashMap<StreamId, usize>>>,
    /// Ids a conflicting call reserved (only for `ConflictReservesIds`): id -> its stream.
    reserved: Arc<Mutex<HashMap<EventId, StreamId>>>,
    /// Ids of soft-deleted events (only for `DeleteFreesIds`).
    deleted_ids: Arc<Mutex<std::collections::HashSet<EventId>>>,
    /// One lock per stream (only for `LocksStreamsInCallOrder`).
    stream_locks: Arc<Mutex<HashMap<StreamId, Arc<tokio::sync::Mutex<()>>>>>,
    commits: CommitSignal,
}

impl Broken {
    pub fn new(flaw: Flaw) -> Self {
        Self {
            inner: MemoryStore::new(),
            flaw,
            pending: Arc::default(),
            snapshots: Arc::default(),
            checkpoints: Arc::default(),
            forgotten: Arc::default(),
            reserved: Arc::default(),
            deleted_ids: Arc::default(),
            stream_locks: Arc::default(),
            commits: CommitSignal::new(),
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
            Flaw::MangledEscapes => |text| text.replace("\\\"", "'"),
            Flaw::FlattensDeepPayloads => |text| {
                let deepest = text.bytes().filter(|b| *b == b'[' || *b == b'{').count();
                if deepest > 64 {
                    "null".to_owned()
                } else {
                    text.to_owned()
                }
            },
            Flaw::TruncatesTypeNames
            | Flaw::DropsCorrelation
            | Flaw::DropsMetadata
            | Flaw::StoresDeepMetadataWithoutIt => {
                return events
                    .into_iter()
                    .map(|e| self.mangle_envelope(e))
                    .collect();
            }
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

    /// The flaws that change an event's type or metadata on the way in.
    fn mangle_envelope(&self, mut event: NewEvent) -> NewEvent {
        match self.flaw {
            Flaw::TruncatesTypeNames if event.event_type.as_str().len() > 200 => {
                let mut cut = 200;
                while !event.event_type.as_str().is_char_boundary(cut) {
                    cut -= 1;
                }
                if let Ok(short) = es_core::EventType::new(&event.event_type.as_str()[..cut]) {
                    event.event_type = short;
                }
            }
            Flaw::DropsCorrelation => event.metadata.correlation_id = None,
            Flaw::DropsMetadata => event.metadata = es_core::Metadata::default(),
            Flaw::StoresDeepMetadataWithoutIt if event.metadata.check().is_err() => {
                event.metadata = es_core::Metadata::default();
            }
            _ => {}
        }
        event
    }

    async fn lossy_append(&self, append: StreamAppend) -> Result<AppendResult> {
        let current = self.inner.stream_head(&append.stream).await?;
        let version = current.map(|h| h.version);
        if append.expected != ExpectedVersion::Any && !append.expected.accepts(version) {
            return self.inner.append(append).await;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
        let (stream, events) = (append.stream.clone(), append.events.clone());
        let mut pretend = StreamAppend::new(
            stream.clone(),
            ExpectedVersion::from_current(version),
            events.clone(),
        );
        pretend.head = None;
        match self.inner.append(pretend).await {
            Err(Error::Conflict { .. }) => {
                // Pretend it worked: the lost update.
                let first = Version::after(version, 1).unwrap_or(Version::FIRST);
                let last = Version::after(version, events.len() as u64).unwrap_or(first);
                Ok(AppendResult::new(
                    stream,
                    EventRef::new(first, Position::new(1), events[0].id),
                    EventRef::new(last, Position::new(1), events[events.len() - 1].id),
                ))
            }
            other => other,
        }
    }

    /// Holds the written positions invisible for a random moment before "committing" them.
    async fn commit_late(&self, results: &[AppendResult]) {
        {
            let mut pending = self.pending.lock();
            for result in results {
                for p in result.first.position.get()..=result.last.position.get() {
                    pending.insert(Position::new(p));
                }
            }
        }
        tokio::time::sleep(Duration::from_micros(fastrand::u64(0..2_000))).await;
        {
            let mut pending = self.pending.lock();
            for result in results {
                for p in result.first.position.get()..=result.last.position.get() {
                    pending.remove(&Position::new(p));
                }
            }
        }
        self.commits.notify();
    }

    /// Runs `write` holding the locks of `streams`, taken in that order, a moment apart.
    async fn locked<T>(&self, streams: Vec<StreamId>, write: impl Future<Output = T>) -> T {
        let mut guards = Vec::new();
        let mut taken = Vec::new();
        for stream in streams {
            if taken.contains(&stream) {
                continue; // a call naming a stream twice is refused by the inner store
            }
            taken.push(stream.clone());
            let lock = self.stream_locks.lock().entry(stream).or_default().clone();
            guards.push(lock.lock_owned().await);
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        write.await
    }

    /// Refuses a call carrying an id a conflicting call reserved.
    fn refuse_reserved(&self, appends: &[StreamAppend]) -> Result<()> {
        let reserved = self.reserved.lock();
        for event in appends.iter().flat_map(|a| &a.events) {
            if let Some(stream) = reserved.get(&event.id) {
                return Err(Error::DuplicateEventId {
                    id: event.id,
                    stream: stream.clone(),
                });
            }
        }
        Ok(())
    }

    /// Reserves the ids of a call that conflicted.
    fn reserve_on_conflict<T>(&self, appends: &[StreamAppend], result: &Result<T>) {
        if matches!(result, Err(Error::Conflict { .. })) {
            let mut reserved = self.reserved.lock();
            for append in appends {
                for event in &append.events {
                    reserved.entry(event.id).or_insert(append.stream.clone());
                }
            }
        }
    }

    /// The versions of `stream` that a forgetting delete hides.
    fn hidden(&self, stream: &StreamId) -> usize {
        self.forgotten.lock().get(stream).copied().unwrap_or(0)
    }

    /// Shifts an append's versions down by what a forgetting delete hid.
    fn shift(&self, mut result: AppendResult) -> AppendResult {
        let hidden = self.hidden(&result.stream_id) as u64;
        let down = |at: &mut EventRef| {
            if let Some(v) = Version::new(at.version.get().saturating_sub(hidden)) {
                at.version = v;
            }
        };
        down(&mut result.first);
        down(&mut result.last);
        result
    }

    fn shift_event(&self, mut event: RecordedEvent) -> Option<RecordedEvent> {
        let hidden = self.hidden(&event.stream_id) as u64;
        event.version = Version::new(event.version.get().checked_sub(hidden)?)?;
        Some(event)
    }

    /// The expectation as the inner store sees it, for a stream whose versions are shifted.
    fn unshift(&self, stream: &StreamId, expected: ExpectedVersion) -> ExpectedVersion {
        let hidden = self.hidden(stream) as u64;
        match expected {
            ExpectedVersion::Exact(v) if hidden > 0 => {
                Version::new(v.get() + hidden).map_or(expected, ExpectedVersion::Exact)
            }
            other => other,
        }
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

/// A store that is only an event store: no optional capability.
#[derive(Clone, Debug, Default)]
pub struct CoreOnly(pub MemoryStore);

impl EventReader for CoreOnly {
    fn claims(&self) -> Claims {
        self.0.claims()
    }
    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        self.0.read_stream(stream, read).await
    }
    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        self.0.stream_head(stream).await
    }
    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        self.0.read_all(request).await
    }
    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        self.0.subscribe(request).await
    }
}

impl EventWriter for CoreOnly {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        self.0.append(append).await
    }
    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        self.0.append_multi(appends).await
    }
}
