//! Every statement the store sends. Table names are unqualified: each pooled connection has
//! `search_path` set to the configured schema, so no SQL text is ever built at run time and
//! every value travels as a bind parameter.

/// Appends any number of events to any number of streams: ONE statement, ONE round trip,
/// atomic on its own (no BEGIN/COMMIT). One row of the arrays per event:
/// `$1` stream, `$2` offset of the event within its stream's batch (1-based), `$3` expectation
/// kind (see `append::kind`), `$4` expected version for `Exact`, `$5` event id, `$6` type,
/// `$7` payload text, `$8` metadata text; `$9` the notification channel, `$10` the key of the
/// advisory lock that orders position draws.
///
/// Versions are computed here from each stream's current head (an index-only lookup on
/// `(stream_id, version)`). A failed expectation makes the version NULL, so the NOT NULL
/// constraint aborts the whole statement (SQLSTATE 23502) and nothing is stored; a concurrent
/// writer that took the same version makes UNIQUE(stream_id, version) abort it (23505).
///
/// Why the lock: readers of the global order return a row only when its `tx` is below the
/// xmin of their snapshot (see READ_ALL). That is safe only if "drew positions earlier" implies
/// "has a smaller xid", i.e. a transaction cannot take its xid before another one and draw its
/// positions after it. So each append takes its xid and draws all its positions while holding
/// a session-level advisory lock, and releases it *before* inserting any row: the lock covers
/// a few `nextval`s (microseconds), not the inserts, and never the commit, so appends still
/// run and group-commit concurrently. The chain of MATERIALIZED CTEs fixes the order:
/// `locked` (lock, then xid) -> `drawn` (positions in batch order) -> `released` (unlock,
/// evaluated only once `drawn` is complete) -> `inserted` (needs `released` for `tx`).
/// If the statement fails before the unlock, the caller runs `pg_advisory_unlock_all()`.
pub(crate) const APPEND: &str = r#"
WITH input AS MATERIALIZED (
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
locked AS MATERIALIZED (
    SELECT pg_advisory_lock($10) AS locked, pg_current_xact_id() AS tx
),
drawn AS MATERIALIZED (
    SELECT o.ord, nextval('events_position_seq') AS position
    FROM (SELECT i.ord FROM input i CROSS JOIN locked ORDER BY i.ord) o
),
released AS MATERIALIZED (
    SELECT pg_advisory_unlock($10) AS released, (SELECT tx FROM locked) AS tx
    FROM (SELECT count(*) FROM drawn) d
),
inserted AS (
    INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata, tx)
    SELECT d.position,
           i.stream_id,
           CASE i.kind
               WHEN 0 THEN coalesce(h.head, 0) + i.off
               WHEN 1 THEN CASE WHEN h.head IS NULL THEN i.off END
               WHEN 2 THEN h.head + i.off
               ELSE CASE WHEN h.head = i.exact THEN i.exact + i.off END
           END,
           i.event_id, i.event_type, i.payload::json, i.metadata::json, r.tx
    FROM input i
    JOIN drawn d ON d.ord = i.ord
    JOIN heads h ON h.stream_id = i.stream_id
    CROSS JOIN released r
    -- One row order for every writer (positions are already drawn), so two multi-stream
    -- appends that wait for each other's rows cannot deadlock.
    ORDER BY i.stream_id, i.off
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

/// Releases the position lock after an append failed, in case it failed before the unlock.
pub(crate) const UNLOCK_ALL: &str = "SELECT pg_advisory_unlock_all()";

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
/// writing transaction finished and every transaction still running got its xid later, hence
/// (by the position lock in APPEND) drew its positions later: no running transaction can
/// commit a smaller position. The caller returns rows only up to (excluding) the first unsafe
/// one, so a transaction that is still running and holds a smaller position is never skipped.
pub(crate) const READ_ALL: &str = concat!(
    "SELECT ",
    event_columns!(),
    ", tx < pg_snapshot_xmin(pg_current_snapshot()) AS safe \
     FROM events WHERE position >= $1 ORDER BY position LIMIT $2"
);

/// READ_ALL with a tighter, equally safe bound, used only when READ_ALL was held back.
///
/// The snapshot's xmin is cluster-wide: a long transaction in *another database* (say, a
/// `CREATE DATABASE` next door) holds it back although it can never write to this table. Here
/// the bound is the smallest running xid of the snapshot that is not known to belong to a
/// backend connected to another database (or the snapshot's xmax when none is left). Any
/// writer of this table is connected to this database, so it is never left out; a backend
/// whose transaction ended between the snapshot and the read of `pg_stat_activity` is simply
/// not recognised as foreign and keeps the bound low (conservative, never unsafe).
pub(crate) const READ_ALL_LOCAL: &str = concat!(
    "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s), \
     foreign_xids AS MATERIALIZED ( \
         SELECT backend_xid::text::int8 AS xid32 FROM pg_stat_activity \
         WHERE backend_xid IS NOT NULL AND datname IS NOT NULL AND datname <> current_database()), \
     bound AS MATERIALIZED ( \
         SELECT coalesce( \
             (SELECT min(x) FROM pg_snapshot_xip((SELECT s FROM snap)) AS x \
              WHERE (x::text::int8 % 4294967296) NOT IN (SELECT xid32 FROM foreign_xids)), \
             pg_snapshot_xmax((SELECT s FROM snap))) AS b) \
     SELECT ",
    event_columns!(),
    ", tx < (SELECT b FROM bound) AS safe \
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
