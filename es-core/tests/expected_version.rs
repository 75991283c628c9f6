//! Every expected-version kind against missing and existing streams; conflicts store nothing.

mod common;

use common::*;
use es_core::{Error, EventWriterExt, ExpectedVersion, Version};
use memory_store::MemoryStore;
use rstest::rstest;

fn v(n: u64) -> Version {
    Version::new(n).expect("non-zero")
}

#[rstest]
#[case::any_on_missing(0, ExpectedVersion::Any, true)]
#[case::any_on_existing(2, ExpectedVersion::Any, true)]
#[case::no_stream_on_missing(0, ExpectedVersion::NoStream, true)]
#[case::no_stream_on_existing(2, ExpectedVersion::NoStream, false)]
#[case::exists_on_missing(0, ExpectedVersion::StreamExists, false)]
#[case::exists_on_existing(2, ExpectedVersion::StreamExists, true)]
#[case::exact_right(2, ExpectedVersion::Exact(v(2)), true)]
#[case::exact_behind(2, ExpectedVersion::Exact(v(1)), false)]
#[case::exact_ahead(2, ExpectedVersion::Exact(v(3)), false)]
#[case::exact_on_missing(0, ExpectedVersion::Exact(v(1)), false)]
#[tokio::test]
async fn expected_version_kinds(
    #[case] existing: u64,
    #[case] expected: ExpectedVersion,
    #[case] accepted: bool,
) {
    let store = MemoryStore::new();
    let id = stream("account-1");
    if existing > 0 {
        store
            .append_events(&id, ExpectedVersion::NoStream, events(0..existing))
            .await
            .expect("seed");
    }
    let before = everything(&store).await;

    let outcome = store.append_events(&id, expected, events(100..102)).await;

    if accepted {
        let written = outcome.expect("accepted");
        assert_eq!(
            Some(written.first.version),
            Version::after(Version::new(existing), 1)
        );
        assert_eq!(
            Some(written.last.version),
            Version::after(Version::new(existing), 2)
        );
        assert_eq!(written.stream_id, id);
        assert!(written.first.position < written.last.position);
        assert_eq!(numbers(&read(&store, &id).await).len() as u64, existing + 2);
    } else {
        match outcome {
            Err(Error::Conflict {
                stream,
                expected: e,
                actual,
            }) => {
                assert_eq!(stream, id);
                assert_eq!(e, expected);
                assert_eq!(actual, Version::new(existing));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            everything(&store).await,
            before,
            "a rejected append stored something"
        );
    }
}

#[tokio::test]
async fn conflict_message_names_stream_and_versions() {
    let store = MemoryStore::new();
    let id = stream("order-7");
    store
        .append_events(&id, ExpectedVersion::Any, events(0..3))
        .await
        .expect("seed");
    let message = store
        .append_events(&id, ExpectedVersion::Exact(v(1)), events(3..4))
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some(
            "version conflict on stream order-7: expected version 1, found version 3; reload the stream and decide again"
        )
    );
}
