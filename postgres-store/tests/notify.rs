//! Other processes' subscriptions are woken by a notification sent after the commit, not by
//! one inside the appending transaction (which serialised concurrent writers' commits).

use std::time::Duration;

use es_core::{EventReader, EventWriterExt, ExpectedVersion, NewEvent, StreamId, Subscribe};
use postgres_store::{PgStore, PgStoreConfig, harness};

/// Long enough that a subscription woken by its poll would fail the test's wait.
const NEVER: Duration = Duration::from_secs(600);

async fn store_on(url: &str, poll: Duration) -> PgStore {
    PgStore::connect(PgStoreConfig::new(url).poll_interval(poll))
        .await
        .unwrap_or_else(|error| panic!("connect: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_of_another_store_is_woken_by_the_notifier() {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let writer = store_on(&url, NEVER).await;
    // Another pool, as another process would have: only a notification can wake it before its
    // ten-minute poll.
    let reader = store_on(&url, NEVER).await;
    let mut subscription = reader
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");
    // The subscription has caught up with the empty store and now waits.
    let stream = StreamId::new("notified").expect("stream id");
    for n in 1..=3u64 {
        let event =
            NewEvent::from_value("Numbered", &serde_json::json!({ "n": n })).expect("event");
        writer
            .append_events(&stream, ExpectedVersion::Any, [event])
            .await
            .expect("append");
        let delivered = tokio::time::timeout(Duration::from_secs(30), subscription.next_event())
            .await
            .unwrap_or_else(|_| {
                panic!("event {n} was not delivered: no notification woke the subscriber")
            })
            .expect("the subscription ended")
            .expect("the subscription failed");
        assert_eq!(delivered.version.get(), n);
    }
}
