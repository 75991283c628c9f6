#![allow(dead_code)] // each test binary uses only some of the flaws

//! Deliberately broken stores: each wraps a `MemoryStore` and breaks exactly one promise, so
//! the suite can show that it catches that break.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::Duration,
};

use es_core::{
    AppendResult, Checkpoint, CheckpointStore, Claims, Error, EventReader, EventRef, EventWriter,
    EventWriterExt, ExpectedVersion, NewEvent, Page, PageState, Payload, Position, ReadAll,
    ReadStream, RecordedEvent, Result, Snapshot, SnapshotStore, Start, StreamAppend, StreamId,
    StreamLifecycle, Subscribe, Subscription, SubscriptionItem, Version,
    provider::{CatchUp, CommitSignal},
};
use memory_store::MemoryStore;
use parking_lot::Mutex;

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
    /// Writes a batch event by event, so readers can see part of it.
    WritesOneByOne,
    /// `read_all` ignores the filter.
    IgnoresFilter,
    /// A page whose events all fail the filter keeps the checkpoint where it started.
    FilteredCheckpointStuck,
    /// Subscriptions never say they are caught up.
    NeverCaughtUp,
    /// Deleting a stream restarts its numbering at 1 (the old semantics), so (stream, version)
    /// can name two events.
    DeleteRestartsNumbering,
    /// A tombstone is only a soft delete.
    TombstoneIsSoft,
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

impl EventReader for Broken {
    fn claims(&self) -> Claims {
        match self.flaw {
            Flaw::ClaimsBelowFloor => self.inner.claims().with_max_payload_bytes(1_000),
            Flaw::IgnoresCallLimit => self.inner.claims().with_append_limits(1_000, 2_000),
            _ => self.inner.claims(),
        }
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let mut read = read;
        if self.flaw == Flaw::BackwardIgnoresFrom && read.direction == es_core::Direction::Backward
        {
            read.from = None;
        }
        if self.flaw == Flaw::DeleteRestartsNumbering {
            let hidden = self.hidden(stream) as u64;
            if let Some(from) = read.from {
                read.from = Version::new(from.get() + hidden);
            }
            let events = self.inner.read_stream(stream, read).await?;
            return Ok(events
                .into_iter()
                .filter_map(|e| self.shift_event(e))
                .collect());
        }
        self.inner.read_stream(stream, read).await
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        match self.flaw {
            Flaw::HeadIsFirstEvent => Ok(self
                .inner
                .read_stream(stream, ReadStream::forward().limit(1))
                .await?
                .first()
                .map(RecordedEvent::event_ref)),
            Flaw::DeleteRestartsNumbering => {
                let last = self
                    .read_stream(stream, ReadStream::backward().limit(1))
                    .await?;
                Ok(last.first().map(RecordedEvent::event_ref))
            }
            _ => self.inner.stream_head(stream).await,
        }
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        match self.flaw {
            Flaw::ReordersReadAll => {
                let mut page = self.inner.read_all(request).await?;
                page.events
                    .sort_by(|a, b| (&a.stream_id, a.version).cmp(&(&b.stream_id, b.version)));
                Ok(page)
            }
            Flaw::ResumeSkipsOne => {
                let mut request = request;
                if let Start::After(checkpoint) = &request.start {
                    let skip = self
                        .inner
                        .read_all(ReadAll::after(checkpoint.clone()).limit(1))
                        .await?;
                    request.start = Start::After(skip.checkpoint);
                }
                self.inner.read_all(request).await
            }
            Flaw::ReadsPastUncommitted => {
                let limit = request.limit;
                let everything = self.inner.read_all(request.limit(usize::MAX)).await?;
                let pending = self.pending.lock();
                let visible: Vec<_> = everything
                    .events
                    .into_iter()
                    .filter(|e| !pending.contains(&e.position))
                    .collect();
                if visible.len() > limit {
                    let page: Vec<_> = visible.into_iter().take(limit).collect();
                    let checkpoint = page
                        .last()
                        .map_or(Checkpoint::beginning(), |e| Checkpoint::after(e.position));
                    return Ok(Page::new(page, checkpoint, PageState::More));
                }
                Ok(Page::new(
                    visible,
                    everything.checkpoint,
                    PageState::CaughtUp,
                ))
            }
            Flaw::IgnoresFilter => {
                let mut request = request;
                request.filter = es_core::EventFilter::all();
                self.inner.read_all(request).await
            }
            Flaw::FilteredCheckpointStuck => {
                let start = request.start.clone();
                let mut page = self.inner.read_all(request).await?;
                if page.events.is_empty() {
                    if let Start::After(checkpoint) = start {
                        page.checkpoint = checkpoint;
                    } else {
                        page.checkpoint = Checkpoint::beginning();
                    }
                }
                Ok(page)
            }
            Flaw::DeleteRestartsNumbering => {
                let mut page = self.inner.read_all(request).await?;
                page.events = page
                    .events
                    .into_iter()
                    .filter_map(|e| self.shift_event(e))
                    .collect();
                Ok(page)
            }
            Flaw::GapsDespiteDenseClaim => {
                let mut page = self.inner.read_all(request).await?;
                page.events.retain(|e| e.stream_id.as_str() != GAP_STREAM);
                Ok(page)
            }
            _ => self.inner.read_all(request).await,
        }
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        match self.flaw {
            Flaw::SubscribeSkipsOne => {
                let mut request = request;
                if let Start::After(checkpoint) = &request.start {
                    let skip = self
                        .inner
                        .read_all(ReadAll::after(checkpoint.clone()).limit(1))
                        .await?;
                    request.start = Start::After(skip.checkpoint);
                }
                self.inner.subscribe(request).await
            }
            Flaw::NeverCaughtUp => {
                let mut inner = self.inner.subscribe(request).await?;
                Ok(Subscription::from_stream(async_stream(
                    move |tx| async move {
                        while let Some(item) = inner.next().await {
                            if matches!(item, Ok(SubscriptionItem::CaughtUp(_))) {
                                continue;
                            }
                            if tx.send(item).await.is_err() {
                                return;
                            }
                        }
                    },
                )))
            }
            Flaw::ReadsPastUncommitted
            | Flaw::ReordersReadAll
            | Flaw::ResumeSkipsOne
            | Flaw::IgnoresFilter
            | Flaw::FilteredCheckpointStuck
            | Flaw::DeleteRestartsNumbering => {
                CatchUp::new(self.clone(), request)
                    .page_size(64)
                    .wake_on(self.commits.listen())
                    .poll_every(Duration::from_millis(5))
                    .begin()
                    .await
            }
            _ => self.inner.subscribe(request).await,
        }
    }
}

/// A stream fed by a task: `body` sends items into the channel it is given.
fn async_stream<F, Fut>(
    body: F,
) -> impl futures_core::Stream<Item = Result<SubscriptionItem>> + Send + 'static
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<SubscriptionItem>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(body(tx));
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

impl EventWriter for Broken {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        let mut append = append;
        append.events = self.mangle(append.events);
        if self.flaw == Flaw::GapsDespiteDenseClaim {
            let gap = NewEvent::from_json("Gap", "{}")?;
            self.inner
                .append_events(&StreamId::new(GAP_STREAM)?, ExpectedVersion::Any, [gap])
                .await?;
        }
        let result = match self.flaw {
            Flaw::IgnoresExpectedVersion => {
                append.expected = ExpectedVersion::Any;
                append.head = None;
                self.inner.append(append).await
            }
            Flaw::AcceptsWrongHeadHint => {
                append.head = None;
                self.inner.append(append).await
            }
            Flaw::LosesRacingAppends => self.lossy_append(append).await,
            Flaw::IgnoresIdempotency => {
                let actual = self
                    .inner
                    .stream_head(&append.stream)
                    .await?
                    .map(|h| h.version);
                if !append.expected.accepts(actual) {
                    return Err(Error::Conflict {
                        stream: append.stream.clone(),
                        expected: append.expected,
                        actual,
                    });
                }
                self.inner.append(append).await
            }
            Flaw::WritesOneByOne if append.events.len() > 1 => {
                let mut events = append.events.into_iter();
                let first: Vec<_> = events.next().into_iter().collect();
                let mut result = self
                    .inner
                    .append(StreamAppend::new(
                        append.stream.clone(),
                        append.expected,
                        first,
                    ))
                    .await?;
                for event in events {
                    // One round trip per event, as a store without a transaction would make.
                    tokio::time::sleep(Duration::from_micros(300)).await;
                    let next = self
                        .inner
                        .append_events(&append.stream, ExpectedVersion::Any, [event])
                        .await?;
                    result.last = next.last;
                }
                Ok(result)
            }
            Flaw::ReadsPastUncommitted => {
                let result = self.inner.append(append).await?;
                self.commit_late(std::slice::from_ref(&result)).await;
                Ok(result)
            }
            Flaw::DeleteRestartsNumbering => {
                let stream = append.stream.clone();
                append.expected = self.unshift(&stream, append.expected);
                self.inner.append(append).await.map(|r| self.shift(r))
            }
            _ => self.inner.append(append).await,
        };
        if result.is_ok() {
            self.commits.notify();
        }
        result
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
        let results = match self.flaw {
            Flaw::PartialMultiAppend => {
                let mut results = Vec::new();
                for append in appends {
                    results.push(self.inner.append(append).await?);
                }
                Ok(results)
            }
            Flaw::ReadsPastUncommitted => {
                let results = self.inner.append_multi(appends).await?;
                self.commit_late(&results).await;
                Ok(results)
            }
            _ => self.inner.append_multi(appends).await,
        };
        if results.is_ok() {
            self.commits.notify();
        }
        results
    }
}

impl SnapshotStore for Broken {
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
        let kept = self.inner.load_snapshot(stream).await?;
        if self.flaw == Flaw::SnapshotForgetsItsEvent
            && let Some(mut snapshot) = kept
        {
            {
                let now = self
                    .inner
                    .read_stream(
                        stream,
                        ReadStream::forward()
                            .from_version(snapshot.at.version)
                            .limit(1),
                    )
                    .await?;
                if let Some(event) = now.first() {
                    snapshot.at = event.event_ref();
                }
                return Ok(Some(snapshot));
            }
        }
        Ok(kept)
    }
}

impl StreamLifecycle for Broken {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots.lock().remove(stream);
        }
        if self.flaw == Flaw::DeleteRestartsNumbering {
            // Forget every version numbered so far: the next event is "version 1" again.
            let head = self.inner.stream_head(stream).await?;
            let expected = self.unshift(stream, expected);
            self.inner.delete_stream(stream, expected).await?;
            if let Some(head) = head {
                self.forgotten
                    .lock()
                    .insert(stream.clone(), head.version.get() as usize);
            }
            return Ok(());
        }
        self.inner.delete_stream(stream, expected).await
    }

    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        if self.flaw == Flaw::TombstoneIsSoft {
            return self.inner.delete_stream(stream, expected).await;
        }
        self.inner.tombstone_stream(stream, expected).await
    }
}

impl CheckpointStore for Broken {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        if self.flaw == Flaw::CheckpointBlindWrite {
            es_core::provider::validate_checkpoint_name(name)?;
            return Ok(self.checkpoints.lock().get(name).cloned());
        }
        self.inner.load_checkpoint(name).await
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        if self.flaw == Flaw::CheckpointBlindWrite {
            es_core::provider::validate_checkpoint_name(name)?;
            self.checkpoints.lock().insert(name.to_owned(), checkpoint);
            return Ok(());
        }
        self.inner.save_checkpoint(name, expected, checkpoint).await
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
