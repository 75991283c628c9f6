//! A real store with a meddling neighbour: rival writers and lost acknowledgements on demand.

use std::sync::atomic::{AtomicU32, Ordering};

use es_core::{
    AppendResult, Capabilities, Error, EventStore, ExpectedVersion, NewEvent, Position, ReadStream,
    RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Version,
};
use memory_store::MemoryStore;

#[derive(Debug, Default)]
pub struct Interfering {
    pub inner: MemoryStore,
    /// Before each of the next N appends, a rival appends `rival_event` to the same stream.
    pub rival_writes: AtomicU32,
    /// The next N successful appends report `Unavailable` although they were stored.
    pub lost_acks: AtomicU32,
    pub appends_seen: AtomicU32,
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

pub fn rival_event() -> NewEvent {
    NewEvent::from_json("Deposited", r#"{"Deposited":{"amount":1}}"#).expect("valid")
}

impl EventStore for Interfering {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        self.appends_seen.fetch_add(1, Ordering::SeqCst);
        if take_one(&self.rival_writes) {
            self.inner
                .append(stream, ExpectedVersion::Any, vec![rival_event()])
                .await?;
        }
        let written = self.inner.append(stream, expected, events).await?;
        if take_one(&self.lost_acks) {
            return Err(Error::Unavailable {
                message: "connection reset after commit".into(),
                source: None,
            });
        }
        Ok(written)
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        self.inner.append_multi(appends).await
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        self.inner.read_stream(stream, read).await
    }

    async fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        self.inner.read_all(from, limit).await
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<Option<Version>> {
        self.inner.stream_version(stream).await
    }

    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        self.inner.load_snapshot(stream).await
    }
}
