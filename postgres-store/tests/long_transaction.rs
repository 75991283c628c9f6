//! A long transaction in the same database holds the snapshot's xmin back. Only a transaction
//! that can still write events may hold readers back: one that cannot (a report reading
//! events, a job writing other tables) must not freeze `read_all` and every subscription; one
//! that can must hold them back visibly (a held-back page that names it), never look like the end.

use std::time::Duration;

use es_core::{
    EventReader, EventWriterExt, ExpectedVersion, NewEvent, PageState, ReadAll, StreamId, Subscribe,
};
use postgres_store::{PgStore, PgStoreConfig, harness};
use sqlx::{Connection, PgConnection, Postgres, Transaction};

mod common;

async fn store_and_url() -> (PgStore, String) {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(PgStoreConfig::new(url.clone()))
        .await
        .expect("connect");
    (store, url)
}

/// A transaction that may write events: it holds the write lock on the table, and an xid.
/// Returns it and its backend's pid; roll it back to end it.
async fn possible_writer(connection: &mut PgConnection) -> (Transaction<'_, Postgres>, i32) {
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *connection)
        .await
        .expect("pid");
    let mut tx = connection.begin().await.expect("begin");
    sqlx::raw_sql("LOCK TABLE events IN ROW EXCLUSIVE MODE; SELECT pg_current_xact_id()")
        .execute(&mut *tx)
        .await
        .expect("take the write lock");
    (tx, pid)
}

async fn append(store: &PgStore, stream: &str) {
    store
        .append_events(
            &StreamId::new(stream).expect("id"),
            ExpectedVersion::NoStream,
            [NewEvent::from_json("Happened", "{}").expect("event")],
        )
        .await
        .expect("append");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_transaction_that_cannot_write_events_does_not_hold_readers_back() {
    let (store, url) = store_and_url().await;
    // A long job in the same database: it reads events, writes a table of its own, and keeps
    // its transaction (and its xid) open.
    let mut job = PgConnection::connect(&url).await.expect("connect the job");
    sqlx::raw_sql("SET search_path = eventstore; CREATE TABLE report (n int)")
        .execute(&mut job)
        .await
        .expect("set up the job");
    let mut tx = job.begin().await.expect("begin");
    sqlx::raw_sql(
        "SELECT count(*) FROM events; INSERT INTO report VALUES (1); SELECT pg_current_xact_id()",
    )
    .execute(&mut *tx)
    .await
    .expect("the job's work");

    let mut subscription = store
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");
    append(&store, "after-the-job-began").await;
    let page = store
        .read_all(ReadAll::from_beginning())
        .await
        .expect("read_all");
    assert_eq!(
        page.events.len(),
        1,
        "a transaction that holds no write lock on the events table froze read_all: {page:?}"
    );
    assert_eq!(page.state, PageState::CaughtUp);
    let delivered = tokio::time::timeout(Duration::from_secs(5), subscription.next_event()).await;
    assert!(
        matches!(delivered, Ok(Some(Ok(_)))),
        "the subscription was frozen by an unrelated long transaction: {delivered:?}"
    );
    tx.rollback().await.expect("rollback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_that_can_write_events_holds_readers_back_and_says_who() {
    let (store, url) = store_and_url().await;
    let mut writer = common::connect(&url).await;
    let (tx, pid) = possible_writer(&mut writer).await;
    append(&store, "behind-the-writer").await;
    let page = store
        .read_all(ReadAll::from_beginning())
        .await
        .expect("read_all");
    assert!(
        page.events.is_empty(),
        "read_all moved past a possible writer: {page:?}"
    );
    assert_eq!(
        page.state,
        PageState::HeldBack,
        "a held-back page must not look like the end"
    );
    let why = page.held_back_by.clone().unwrap_or_default();
    assert!(
        why.contains(&format!("backend {pid}")),
        "the page must name the backend that holds it back, it says {why:?}"
    );
    tx.rollback().await.expect("rollback");
    let page = store
        .read_all(ReadAll::from_beginning())
        .await
        .expect("read_all");
    assert_eq!((page.events.len(), page.state), (1, PageState::CaughtUp));
}

/// The head while a possible writer holds the bound below an event committed after it began:
/// a checkpoint from which that event would be read again is not the head, so the page says it
/// is held back (and by whom) instead of passing as caught up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_behind_a_possible_writer_says_it_is_held_back() {
    let (store, url) = store_and_url().await;
    let mut writer = common::connect(&url).await;
    let (tx, pid) = possible_writer(&mut writer).await;
    append(&store, "committed-behind-the-writer").await;
    let head = store
        .read_all(ReadAll::from_head())
        .await
        .expect("read_all from the head");
    assert!(
        head.events.is_empty(),
        "a head page holds no events: {head:?}"
    );
    assert_eq!(
        head.state,
        PageState::HeldBack,
        "a head below a committed event must not look caught up: {head:?}"
    );
    let why = head.held_back_by.clone().unwrap_or_default();
    assert!(
        why.contains(&format!("backend {pid}")),
        "the head must name the backend that holds it back, it says {why:?}"
    );
    tx.rollback().await.expect("rollback");
    let head = store
        .read_all(ReadAll::from_head())
        .await
        .expect("read_all from the head");
    assert_eq!(head.state, PageState::CaughtUp);
    let after = store
        .read_all(ReadAll::after(head.checkpoint))
        .await
        .expect("read_all after the head");
    assert!(
        after.events.is_empty(),
        "the head's checkpoint lies below an event committed before it was read: {after:?}"
    );
}
