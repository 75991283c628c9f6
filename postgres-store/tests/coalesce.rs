//! Commit coalescing: appends that wait for a write slot are written together, in one
//! statement, and each keeps its own outcome.
//!
//! Every test makes the group happen instead of hoping for it: the store has one slot, a
//! transaction beside the store locks the events table so that a first append holds that slot,
//! the test waits until PostgreSQL shows that append waiting for the lock and the store shows
//! the others queued, and only then lets go.

use std::time::{Duration, Instant};

use es_core::{
    AppendResult, Error, EventId, EventReader, EventWriter, EventWriterExt, ExpectedVersion,
    NewEvent, ReadStream, RecordedEvent, Result, StreamAppend, StreamId, Version,
};
use postgres_store::{PgStore, PgStoreConfig, harness};
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use tokio::task::JoinHandle;

mod common;

/// How many bits of a position number the event inside its transaction (see the crate docs).
const POSITION_SHIFT: u32 = 20;

async fn one_slot_store() -> (PgStore, String) {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(PgStoreConfig::new(url.clone()).append_slots(1))
        .await
        .expect("connect");
    (store, url)
}

fn id(stream: &str) -> StreamId {
    StreamId::new(stream).expect("stream id")
}

fn event(n: u32) -> NewEvent {
    NewEvent::from_json("Happened", format!(r#"{{"n":{n}}}"#)).expect("event")
}

fn spawn_append(store: &PgStore, append: StreamAppend) -> JoinHandle<Result<AppendResult>> {
    let store = store.clone();
    tokio::spawn(async move { store.append(append).await })
}

/// Locks the events table against every append until the returned transaction ends.
async fn lock_appends(connection: &mut PgConnection) -> Transaction<'_, Postgres> {
    let mut tx = connection.begin().await.expect("begin");
    sqlx::raw_sql("LOCK TABLE events IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .expect("lock the events table");
    tx
}

/// Waits until `done` holds, failing the test after a generous deadline.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Starts an append that takes the store's only slot and waits for the table lock.
async fn hold_the_slot(store: &PgStore, url: &str) -> JoinHandle<Result<AppendResult>> {
    let first = spawn_append(
        store,
        StreamAppend::new(id("first"), ExpectedVersion::NoStream, vec![event(0)]),
    );
    let mut watcher = PgConnection::connect(url).await.expect("connect a watcher");
    until("the first append waits for the lock", async || {
        let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
            .fetch_one(&mut watcher)
            .await
            .expect("read pg_locks");
        waiting > 0
    })
    .await;
    first
}

async fn queued(store: &PgStore, calls: usize) {
    until(&format!("{calls} appends are queued"), async || {
        store.waiting_appends() == calls
    })
    .await;
}

async fn events_of(store: &PgStore, stream: &str) -> Vec<RecordedEvent> {
    store
        .read_stream(&id(stream), ReadStream::forward())
        .await
        .expect("read")
}

fn transaction_of(result: &AppendResult) -> u64 {
    result.first.position.get() >> POSITION_SHIFT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_expectation_in_a_group_fails_alone_and_the_others_commit_together() {
    let (store, url) = one_slot_store().await;
    for stream in ["existing", "exact-ok"] {
        store
            .append_events(&id(stream), ExpectedVersion::NoStream, [event(1), event(2)])
            .await
            .expect("seed");
    }
    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;

    let mut fresh = Vec::new();
    for n in 0..6 {
        fresh.push(spawn_append(
            &store,
            StreamAppend::new(
                id(&format!("fresh-{n}")),
                ExpectedVersion::NoStream,
                vec![event(n), event(n + 10)],
            ),
        ));
    }
    let wrong = spawn_append(
        &store,
        StreamAppend::new(
            id("existing"),
            ExpectedVersion::Exact(Version::new(5).expect("version")),
            vec![event(99)],
        ),
    );
    let exact = spawn_append(
        &store,
        StreamAppend::new(
            id("exact-ok"),
            ExpectedVersion::Exact(Version::new(2).expect("version")),
            vec![event(3)],
        ),
    );
    queued(&store, 8).await;
    lock.rollback().await.expect("release the lock");

    let first = first.await.expect("join").expect("the first append");
    let mut stored = Vec::new();
    for task in fresh {
        stored.push(task.await.expect("join").expect("a fresh append"));
    }
    stored.push(exact.await.expect("join").expect("the right Exact append"));
    match wrong.await.expect("join") {
        Err(Error::Conflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!(stream, id("existing"));
            assert_eq!(
                expected,
                ExpectedVersion::Exact(Version::new(5).expect("v"))
            );
            assert_eq!(actual, Version::new(2));
        }
        other => panic!("the wrong expectation must fail with its own conflict, got {other:?}"),
    }

    // Nothing of the failed append, everything of the others.
    assert_eq!(events_of(&store, "existing").await.len(), 2);
    for n in 0..6 {
        let events = events_of(&store, &format!("fresh-{n}")).await;
        let versions: Vec<u64> = events.iter().map(|e| e.version.get()).collect();
        assert_eq!(versions, [1, 2], "fresh-{n}");
    }
    let exact_ok = events_of(&store, "exact-ok").await;
    assert_eq!(exact_ok.len(), 3);
    assert_eq!(exact_ok[2].version.get(), 3);

    // The seven that succeeded were one transaction, apart from the first append's.
    let transactions: Vec<u64> = stored.iter().map(transaction_of).collect();
    assert!(
        transactions.iter().all(|t| *t == transactions[0]),
        "the queued appends must commit together, in one transaction: {transactions:?}"
    );
    assert_ne!(transactions[0], transaction_of(&first));
    // And each result describes its own events.
    for (n, result) in stored.iter().take(6).enumerate() {
        assert_eq!(result.stream_id, id(&format!("fresh-{n}")));
        assert_eq!(
            (result.first.version.get(), result.last.version.get()),
            (1, 2)
        );
        let events = events_of(&store, &format!("fresh-{n}")).await;
        assert_eq!(result.first.position, events[0].position);
        assert_eq!(result.last.position, events[1].position);
        assert_eq!(result.last.id, events[1].id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exact_resend_in_a_group_gets_its_own_original_result() {
    let (store, url) = one_slot_store().await;
    let original_events = vec![event(1), event(2)];
    let original = store
        .append(StreamAppend::new(
            id("resent"),
            ExpectedVersion::NoStream,
            original_events.clone(),
        ))
        .await
        .expect("the original append");

    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;
    let resend = spawn_append(
        &store,
        StreamAppend::new(id("resent"), ExpectedVersion::NoStream, original_events),
    );
    let others: Vec<_> = (0..3)
        .map(|n| {
            spawn_append(
                &store,
                StreamAppend::new(
                    id(&format!("other-{n}")),
                    ExpectedVersion::Any,
                    vec![event(n)],
                ),
            )
        })
        .collect();
    queued(&store, 4).await;
    lock.rollback().await.expect("release the lock");

    first.await.expect("join").expect("the first append");
    let again = resend
        .await
        .expect("join")
        .expect("an exact re-send succeeds");
    assert_eq!(
        again, original,
        "the re-send must return the original result"
    );
    let mut transactions = Vec::new();
    for task in others {
        transactions.push(transaction_of(&task.await.expect("join").expect("other")));
    }
    assert!(
        transactions.iter().all(|t| *t == transactions[0]),
        "{transactions:?}"
    );
    assert_eq!(
        events_of(&store, "resent").await.len(),
        2,
        "nothing stored twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_id_in_a_group_fails_alone_and_the_others_are_stored() {
    let (store, url) = one_slot_store().await;
    let taken = event(1);
    let taken_id: EventId = taken.id;
    store
        .append_events(&id("owner"), ExpectedVersion::NoStream, [taken.clone()])
        .await
        .expect("seed");

    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;
    // Its expectation holds, so only the unique index sees the reuse: the group statement is
    // aborted and every call goes alone.
    let reuse = spawn_append(
        &store,
        StreamAppend::new(id("thief"), ExpectedVersion::NoStream, vec![taken]),
    );
    let others: Vec<_> = (0..3)
        .map(|n| {
            spawn_append(
                &store,
                StreamAppend::new(
                    id(&format!("honest-{n}")),
                    ExpectedVersion::NoStream,
                    vec![event(n + 10)],
                ),
            )
        })
        .collect();
    queued(&store, 4).await;
    lock.rollback().await.expect("release the lock");

    first.await.expect("join").expect("the first append");
    match reuse.await.expect("join") {
        Err(Error::DuplicateEventId { id: dup, stream }) => {
            assert_eq!(dup, taken_id);
            assert_eq!(stream, id("owner"));
        }
        other => panic!("a reused id must fail with DuplicateEventId, got {other:?}"),
    }
    for (n, task) in others.into_iter().enumerate() {
        let result = task.await.expect("join").expect("an honest append");
        assert_eq!(result.stream_id, id(&format!("honest-{n}")));
        assert_eq!(events_of(&store, &format!("honest-{n}")).await.len(), 1);
    }
    assert!(events_of(&store, "thief").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_given_up_while_queued_is_never_sent() {
    let (store, url) = one_slot_store().await;
    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;
    let abandoned = spawn_append(
        &store,
        StreamAppend::new(id("abandoned"), ExpectedVersion::NoStream, vec![event(1)]),
    );
    let kept = spawn_append(
        &store,
        StreamAppend::new(id("kept"), ExpectedVersion::NoStream, vec![event(2)]),
    );
    queued(&store, 2).await;
    abandoned.abort();
    assert!(abandoned.await.expect_err("aborted").is_cancelled());
    lock.rollback().await.expect("release the lock");

    first.await.expect("join").expect("the first append");
    kept.await.expect("join").expect("the kept append");
    assert!(events_of(&store, "abandoned").await.is_empty());
    assert_eq!(events_of(&store, "kept").await.len(), 1);
    assert_eq!(store.waiting_appends(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_stream_call_in_a_group_stays_all_or_nothing() {
    let (store, url) = one_slot_store().await;
    store
        .append_events(&id("ledger-b"), ExpectedVersion::NoStream, [event(0)])
        .await
        .expect("seed");
    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;
    // Its second part's expectation fails: neither part may be stored.
    let failing = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .append_multi(vec![
                    StreamAppend::new(id("ledger-a"), ExpectedVersion::NoStream, vec![event(1)]),
                    StreamAppend::new(id("ledger-b"), ExpectedVersion::NoStream, vec![event(2)]),
                ])
                .await
        })
    };
    let fine = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .append_multi(vec![
                    StreamAppend::new(id("ledger-c"), ExpectedVersion::NoStream, vec![event(3)]),
                    StreamAppend::new(id("ledger-d"), ExpectedVersion::NoStream, vec![event(4)]),
                ])
                .await
        })
    };
    queued(&store, 2).await;
    lock.rollback().await.expect("release the lock");

    first.await.expect("join").expect("the first append");
    assert!(matches!(
        failing.await.expect("join"),
        Err(Error::Conflict { stream, .. }) if stream == id("ledger-b")
    ));
    let results = fine.await.expect("join").expect("the fine multi-append");
    assert_eq!(results.len(), 2);
    assert!(events_of(&store, "ledger-a").await.is_empty());
    assert_eq!(events_of(&store, "ledger-b").await.len(), 1);
    assert_eq!(events_of(&store, "ledger-c").await.len(), 1);
    assert_eq!(events_of(&store, "ledger-d").await.len(), 1);
}

/// Queues `appends` behind a held slot, lets go, and returns how many of them each transaction
/// carried, in the order the transactions committed.
async fn group_sizes(appends: Vec<StreamAppend>) -> Vec<usize> {
    let (store, url) = one_slot_store().await;
    let calls = appends.len();
    let mut locker = common::connect(&url).await;
    let lock = lock_appends(&mut locker).await;
    let first = hold_the_slot(&store, &url).await;
    let tasks: Vec<_> = appends
        .into_iter()
        .map(|append| spawn_append(&store, append))
        .collect();
    queued(&store, calls).await;
    lock.rollback().await.expect("release the lock");
    first.await.expect("join").expect("the first append");
    let mut transactions: Vec<(u64, usize)> = Vec::new();
    for task in tasks {
        let xid = transaction_of(&task.await.expect("join").expect("an append"));
        match transactions.iter_mut().find(|(t, _)| *t == xid) {
            Some((_, count)) => *count += 1,
            None => transactions.push((xid, 1)),
        }
    }
    transactions.sort_unstable();
    transactions.into_iter().map(|(_, count)| count).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_carries_at_most_256_calls() {
    let appends = (0..300)
        .map(|n| {
            StreamAppend::new(
                id(&format!("many-{n}")),
                ExpectedVersion::NoStream,
                vec![event(n)],
            )
        })
        .collect();
    assert_eq!(group_sizes(appends).await, [256, 44]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_carries_at_most_10_000_events() {
    let appends = (0..11)
        .map(|n| {
            StreamAppend::new(
                id(&format!("bulk-{n}")),
                ExpectedVersion::NoStream,
                (0..1_000).map(event).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(group_sizes(appends).await, [10, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_carries_at_most_8_mib_of_payload() {
    // Ten events of a little under 1 MiB each: eight fit in 8 MiB, the ninth does not.
    let big = format!(r#"{{"blob":"{}"}}"#, "x".repeat(1_000_000));
    let appends = (0..10)
        .map(|n| {
            StreamAppend::new(
                id(&format!("big-{n}")),
                ExpectedVersion::NoStream,
                vec![NewEvent::from_json("Uploaded", big.clone()).expect("event")],
            )
        })
        .collect();
    assert_eq!(group_sizes(appends).await, [8, 2]);
}
