//! Every statement the store sends. Table names are unqualified: each pooled connection has
//! `search_path` set to the configured schema, so no SQL text is ever built at run time and
//! every value travels as a bind parameter.

/// Appends any number of events to any number of streams: ONE statement, ONE round trip,
/// atomic on its own (no BEGIN/COMMIT). One row of the arrays per event:
/// `$1` stream, `$2` offset of the event within its stream's batch (1-based), `$3` expectation
/// kind (see `append::Kind`), `$4` expected version for `Exact`, `$5` event id, `$6` type,
/// `$7` payload text, `$8` metadata text; `$9` the notification channel.
///
/// Versions are computed here from each stream's current head (an index-only lookup on
/// `(stream_id, version)`). A failed expectation makes the version NULL, so the NOT NULL
/// constraint aborts the whole statement (SQLSTATE 23502) and nothing is stored; a concurrent
/// writer that took the same version makes UNIQUE(stream_id, version) abort it (23505).
///
/// `xact` assigns the transaction id *before* any position is drawn: the position default
/// (`nextval`) is evaluated above the sorted sub-select, which cannot produce a row before the
/// joined `xact` row exists. Readers rely on "xid assigned before positions" (see READ_ALL).
/// `ORDER BY ord` makes positions increase with versions inside the batch.
pub(crate) const APPEND: &str = r#"
WITH xact AS MATERIALIZED (
    SELECT pg_current_xact_id() AS tx
),
input AS MATERIALIZED (
    SELECT *
    FROM unnest($1::text[], $2::int8[], $3::int4[], $4::int8[],
                $5::uuid[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS i(stream_id, off, kind, exact, event_id, event_type, payload, metadata, ord)
),
heads AS MATERIALIZED (
    SELECT s.stream_id,
           (SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id) AS head
    FROM (SELECT DISTINCT stream_id FROM input) s
),
inserted AS (
    INSERT INTO events (stream_id, version, event_id, event_type, payload, metadata, tx)
    SELECT i.stream_id,
           CASE i.kind
               WHEN 0 THEN coalesce(h.head, 0) + i.off
               WHEN 1 THEN CASE WHEN h.head IS NULL THEN i.off END
               WHEN 2 THEN h.head + i.off
               ELSE CASE WHEN h.head = i.exact THEN i.exact + i.off END
           END,
           i.event_id, i.event_type, i.payload::json, i.metadata::json, x.tx
    FROM input i
    JOIN heads h ON h.stream_id = i.stream_id
    CROSS JOIN xact x
    ORDER BY i.ord
    RETURNING stream_id, version, position
),
notified AS (
    SELECT pg_notify($9, '') AS done
)
SELECT s.stream_id,
       min(s.version)  AS first_version,
       max(s.version)  AS last_version,
       min(s.position) AS first_position,
       max(s.position) AS last_position
FROM inserted s CROSS JOIN notified
GROUP BY s.stream_id
"#;

/// Stored events among the given ids (failure path of an append only).
pub(crate) const STORED_IDS: &str = r#"
SELECT event_id, stream_id, version FROM events WHERE event_id = ANY($1::uuid[])
"#;

/// The current version of each given stream (failure path of an append only).
pub(crate) const HEADS: &str = r#"
SELECT s.stream_id, (SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id) AS head
FROM unnest($1::text[]) AS s(stream_id)
"#;

/// The columns every read returns, in the order `read::decode` expects.
macro_rules! event_columns {
    () => {
        "position, stream_id, version, event_id, event_type, payload::text AS payload, \
         metadata::text AS metadata, recorded_at"
    };
}

pub(crate) const READ_FORWARD: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3"
);

pub(crate) const READ_BACKWARD: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM events WHERE stream_id = $1 AND version <= $2 ORDER BY version DESC LIMIT $3"
);

/// The global order, with a `safe` flag per row: `tx < xmin of the current snapshot` means the
/// writing transaction finished and every transaction still running got its xid later. The
/// caller returns rows only up to (excluding) the first unsafe one, so a transaction that is
/// still running and holds a smaller position cannot be skipped.
pub(crate) const READ_ALL: &str = concat!(
    "SELECT ",
    event_columns!(),
    ", tx < pg_snapshot_xmin(pg_current_snapshot()) AS safe \
     FROM events WHERE position >= $1 ORDER BY position LIMIT $2"
);

pub(crate) const STREAM_VERSION: &str = "SELECT max(version) FROM events WHERE stream_id = $1";

/// Hard delete of a stream and its snapshot in one statement, only if the expectation on the
/// stream's head holds (`$2` kind, `$3` exact version, as in APPEND). Returns the head found.
pub(crate) const DELETE_STREAM: &str = r#"
WITH head AS MATERIALIZED (
    SELECT max(version) AS v FROM events WHERE stream_id = $1
),
allowed AS MATERIALIZED (
    SELECT CASE $2::int4
               WHEN 0 THEN true
               WHEN 1 THEN v IS NULL
               WHEN 2 THEN v IS NOT NULL
               ELSE v IS NOT DISTINCT FROM $3::int8
           END AS ok
    FROM head
),
gone_events AS (
    DELETE FROM events WHERE stream_id = $1 AND (SELECT ok FROM allowed) RETURNING 1
),
gone_snapshot AS (
    DELETE FROM snapshots WHERE stream_id = $1 AND (SELECT ok FROM allowed) RETURNING 1
)
SELECT (SELECT v FROM head) AS head,
       (SELECT count(*) FROM gone_events) AS events,
       (SELECT count(*) FROM gone_snapshot) AS snapshots
"#;

/// Highest version wins: an older snapshot never replaces a newer one.
pub(crate) const SAVE_SNAPSHOT: &str = r#"
INSERT INTO snapshots (stream_id, version, state) VALUES ($1, $2, $3::json)
ON CONFLICT (stream_id) DO UPDATE
    SET version = excluded.version, state = excluded.state, saved_at = now()
    WHERE excluded.version >= snapshots.version
"#;

pub(crate) const LOAD_SNAPSHOT: &str =
    "SELECT version, state::text AS state FROM snapshots WHERE stream_id = $1";
