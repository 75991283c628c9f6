//! A real store with a meddling neighbour: rival writers and lost acknowledgements on demand.

use std::{
    collections::VecDeque,
    sync::{
        Mutex,
        atomic::{AtomicU32, Ordering},
    },
};

use es_core::{
    AppendResult, Claims, Error, EventReader, EventRef, EventWriter, EventWriterExt,
    ExpectedVersion, NewEvent, Page, ReadAll, ReadStream, RecordedEvent, Result, Snapshot,
    SnapshotStore, StreamAppend, StreamId, Subscribe, Subscription,
};
use memory_store::MemoryStore;

#[derive(Debug, Default)]
pub struct Interfering {
    pub inner: MemoryStore,
    /// Before each of the next N appends, a rival appends `rival_event` to the same stream.
    pub rival_writes: AtomicU32,
    /// Before each of the next multi-stream appends, a rival appends `rival_event` to the next
    /// stream in this queue.
    pub multi_rivals: Mutex<VecDeque<StreamId>>,
    /// The next N successful appends report `Unavailable` although they were stored.
    pub lost_acks: AtomicU32,
    pub appends_seen: AtomicU32,
    pub multi_appends_seen: AtomicU32,
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// A deposit of 1 in the example domain's stored form.
pub fn rival_event() -> NewEvent {
    NewEvent::from_json("Deposited", r#"{"Deposited":{"amount":1}}"#).expect("valid")
}

impl Interfering {
    /// Sends a lost acknowledgement instead of `written`, if one is due.
    fn acknowledge<T>(&self, written: T) -> Result<T> {
        if take_one(&self.lost_acks) {
            return Err(Error::Unavailable {
                message: "connection reset after commit".into(),
                source: None,
            });
        }
        Ok(written)
    }
}

impl EventReader for Interfering {
    fn claims(&self) -> Claims {
        self.inner.claims()
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        self.inner.read_stream(stream, read).await
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        self.inner.stream_head(stream).await
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        self.inner.read_all(request).await
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        self.inner.subscribe(request).await
    }
}

impl EventWriter for Interfering {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        self.appends_seen.fetch_add(1, Ordering::SeqCst);
        if take_one(&self.rival_writes) {
            self.inner
                .append_events(&append.stream, ExpectedVersion::Any, [rival_event()])
                .await?;
        }
        let written = self.inner.append(append).await?;
        self.acknowledge(written)
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        self.multi_appends_seen.fetch_add(1, Ordering::SeqCst);
        let rival = self.multi_rivals.lock().expect("lock").pop_front();
        if let Some(rival) = rival {
            self.inner
                .append_events(&rival, ExpectedVersion::Any, [rival_event()])
                .await?;
        }
        let written = self.inner.append_multi(appends).await?;
        self.acknowledge(written)
    }
}

impl SnapshotStore for Interfering {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        self.inner.load_snapshot(stream).await
    }
}
