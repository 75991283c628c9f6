//! The query plans the store depends on: on a table with enough events for the planner to care,
//! the reads of the global order must find their rows through the position index, never by
//! reading the whole table (which made every catch-up page cost a full scan).

use sqlx::PgPool;

use crate::sql;

/// The plan of `statement` (bound as a read_all page after position `after`, and for the
/// precise read with no cleared xids) as JSON text.
async fn plan(pool: &PgPool, statement: &str, precise: bool, after: i64) -> String {
    let explain = format!("EXPLAIN (FORMAT JSON) {statement}");
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
        .bind(after)
        .bind(1_000_i64)
        .bind(None::<Vec<String>>)
        .bind(None::<Vec<String>>);
    if precise {
        query = query.bind(Vec::<i64>::new());
    }
    let plan: serde_json::Value = query.fetch_one(pool).await.expect("explain");
    plan.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_all_pages_use_the_position_index_not_a_full_scan() {
    let store = crate::harness::fresh_store()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pool = store.pool();
    // 100,000 events in one statement, then fresh statistics, as a store that has run a while.
    sqlx::query(
        "INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata) \
         SELECT n, 'account-' || (n / 1000), n % 1000 + 1, gen_random_uuid(), 'Deposited', \
                '{\"amount\":1}', '{}' FROM generate_series(1, 100000) AS n",
    )
    .execute(pool)
    .await
    .expect("seed");
    sqlx::query("ANALYZE events")
        .execute(pool)
        .await
        .expect("analyze");

    for (name, statement, precise) in [
        ("READ_ALL", sql::READ_ALL, false),
        ("READ_ALL_PRECISE", sql::READ_ALL_PRECISE, true),
    ] {
        for after in [0_i64, 50_000, 100_000] {
            let plan = plan(pool, statement, precise, after).await;
            assert!(
                !plan.contains("Seq Scan"),
                "{name} after {after} reads the whole table: {plan}"
            );
        }
    }
}
