//! Helpers shared by es-core's integration tests.
#![allow(dead_code)]

pub mod interfering;

use es_core::{EventReader, EventReaderExt, NewEvent, ReadAll, RecordedEvent, StreamId};

pub fn stream(name: &str) -> StreamId {
    StreamId::new(name).expect("valid test stream id")
}

pub fn event(n: u64) -> NewEvent {
    NewEvent::from_json("Numbered", format!(r#"{{"n":{n}}}"#)).expect("valid test event")
}

pub fn events(range: std::ops::Range<u64>) -> Vec<NewEvent> {
    range.map(event).collect()
}

pub async fn read(store: &impl EventReader, id: &StreamId) -> Vec<RecordedEvent> {
    store.read_whole_stream(id).await.expect("read")
}

/// The whole global order, paged to the end.
pub async fn everything(store: &impl EventReader) -> Vec<RecordedEvent> {
    store
        .read_all_to_end(ReadAll::from_beginning())
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
