//! Helpers shared by es-core's integration tests.
#![allow(dead_code)]

pub mod interfering;

use es_core::{EventStore, NewEvent, Position, ReadStream, RecordedEvent, StreamId};
use memory_store::MemoryStore;

pub fn stream(name: &str) -> StreamId {
    StreamId::new(name).expect("valid test stream id")
}

pub fn event(n: u64) -> NewEvent {
    NewEvent::from_json("Numbered", format!(r#"{{"n":{n}}}"#)).expect("valid test event")
}

pub fn events(range: std::ops::Range<u64>) -> Vec<NewEvent> {
    range.map(event).collect()
}

pub async fn read(store: &MemoryStore, id: &StreamId) -> Vec<RecordedEvent> {
    store
        .read_stream(id, ReadStream::forward())
        .await
        .expect("read")
}

pub async fn everything(store: &MemoryStore) -> Vec<RecordedEvent> {
    store
        .read_all(Position::START, usize::MAX)
        .await
        .expect("read all")
}

pub fn numbers(events: &[RecordedEvent]) -> Vec<u64> {
    events
        .iter()
        .map(|e| {
            e.payload.to_value().expect("json")["n"]
                .as_u64()
                .expect("n")
        })
        .collect()
}
