//! Helpers shared by the PostgreSQL tests: a raw connection beside the store, and a writer left
//! in flight holding a small position.
#![allow(dead_code)] // each test binary uses only some of them

use sqlx::{Connection, PgConnection, Postgres, Transaction};

/// A raw connection to `url` with the store's default schema on its search path.
pub async fn connect(url: &str) -> PgConnection {
    let mut connection = PgConnection::connect(url)
        .await
        .expect("connect beside the store");
    sqlx::raw_sql("SET search_path = eventstore")
        .execute(&mut connection)
        .await
        .expect("set the search path");
    connection
}

/// The slow writer: a hand-written append of one event to `stream`, left uncommitted, so it holds
/// a smaller position than anything a later transaction writes. Its xid is taken before its
/// position, as the store's own append statement does. Returns the open transaction and the
/// position; commit or drop the transaction to end it.
pub async fn uncommitted_event<'c>(
    connection: &'c mut PgConnection,
    stream: &str,
) -> (Transaction<'c, Postgres>, i64) {
    let mut tx = connection.begin().await.expect("begin");
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *tx)
        .await
        .expect("xid");
    let position: i64 = sqlx::query_scalar(
        "INSERT INTO events (stream_id, version, event_id, event_type, payload, metadata) \
         VALUES ($1, 1, gen_random_uuid(), 'Slow', '{}', '{}') RETURNING position",
    )
    .bind(stream)
    .fetch_one(&mut *tx)
    .await
    .expect("the slow insert");
    (tx, position)
}
