//! Readers on a hot standby: a slow transaction on the primary holds a smaller position while a
//! faster one commits a larger one; a reader on the standby must not return the later event
//! (it would move past the earlier one for good) and must say the page is held back.

use std::time::{Duration, Instant};

use es_core::{
    EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, PageState, ReadAll,
    StreamId, Subscribe,
};
mod common;

use postgres_store::harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_reads_wait_for_an_earlier_position_in_flight_on_the_primary() {
    let (store, reader) = harness::fresh_pair_on_standby()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(reader.is_standby(), "the reader must be on the standby");
    let mut subscription = reader
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe on the standby");

    // The slow writer on the primary: an append left uncommitted, holding the smaller position.
    let url = primary_url(&store).await;
    let mut slow = common::connect(&url).await;
    let (tx, slow_position) = common::uncommitted_event(&mut slow, "slow").await;

    let fast = store
        .append_events(
            &StreamId::new("fast").expect("id"),
            ExpectedVersion::NoStream,
            [NewEvent::from_json("Fast", "{}").expect("event")],
        )
        .await
        .expect("fast append");
    assert!(fast.first.position.get() > slow_position.unsigned_abs());

    // Wait until the standby has replayed the fast commit: then it is visible there.
    let deadline = Instant::now() + Duration::from_secs(10);
    while reader
        .read_stream(
            &StreamId::new("fast").expect("id"),
            es_core::ReadStream::forward(),
        )
        .await
        .expect("read the fast stream on the standby")
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the standby never replayed the fast commit"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let early = reader
        .read_all(ReadAll::from_beginning().limit(100))
        .await
        .expect("read_all on the standby");
    assert!(
        early.events.is_empty(),
        "the standby returned {:?} while position {slow_position} was still in flight on the primary",
        early.events.iter().map(|e| e.position).collect::<Vec<_>>()
    );
    assert_eq!(
        early.state,
        PageState::HeldBack,
        "the page must say it is held back"
    );
    let nothing_yet =
        tokio::time::timeout(Duration::from_millis(600), subscription.next_event()).await;
    assert!(
        nothing_yet.is_err(),
        "the standby's subscription delivered an event past an in-flight position"
    );

    tx.commit().await.expect("slow commit");
    let deadline = Instant::now() + Duration::from_secs(10);
    let all = loop {
        let all = reader
            .read_all_to_end(ReadAll::from_beginning())
            .await
            .expect("read_all on the standby");
        if all.len() == 2 || Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let positions: Vec<u64> = all.iter().map(|e| e.position.get()).collect();
    assert_eq!(
        positions,
        vec![slow_position.unsigned_abs(), fast.first.position.get()]
    );
    for expected in &positions {
        let event = tokio::time::timeout(Duration::from_secs(5), subscription.next_event())
            .await
            .expect("the standby's subscription delivered")
            .expect("not ended")
            .expect("no error");
        assert_eq!(event.position.get(), *expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_reader_cannot_write_and_claims_eventual_reads() {
    let (_store, reader) = harness::fresh_pair_on_standby()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        reader.claims().consistency,
        es_core::ReadConsistency::Eventual { .. }
    ));
}

/// The url the store's own pool uses, for a second connection to the same primary database.
async fn primary_url(store: &postgres_store::PgStore) -> String {
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(store.pool())
        .await
        .expect("database name");
    harness::database_url_on_primary(&database)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
