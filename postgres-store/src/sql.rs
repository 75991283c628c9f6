//! Every statement the store sends. Table names are unqualified: each pooled connection has
//! `search_path` set to the configured schema, so no SQL text is ever built at run time and
//! every value travels as a bind parameter.

/// How positions are made, and why `read_all` can trust them.
///
/// Every append is ONE statement, hence one transaction, and writes
/// `position = (xid << POSITION_SHIFT) + ord`: `xid` is the transaction's 64-bit id
/// (`pg_current_xact_id()`, never reused, never wraps) and `ord` the row's 1-based number in the
/// statement, below `2^POSITION_SHIFT` (the store rejects larger appends). So positions are
/// unique, strictly increase with the version inside a batch, and leave gaps. No sequence, no
/// lock: appends never wait for each other to draw positions.
///
/// Readers of the global order stop below `bound = xmin << POSITION_SHIFT`, `xmin` being the
/// smallest xid still running in their snapshot. Every row below the bound was written by an
/// xid below `xmin`, i.e. by a transaction that had finished when the snapshot was taken (so the
/// row is visible if it committed), and every transaction still running or yet to start has an
/// xid of at least `xmin` (running ones by definition of `xmin`, future ones get xids from the
/// snapshot's `xmax` up) and so writes positions above the bound. A reader can therefore never
/// move past a position that a transaction still in flight is about to commit.
pub(crate) const POSITION_SHIFT: u32 = 20;

/// One event to one stream whose head the caller knows (`Exact(v)` or `NoStream`): the
/// executor's and most aggregates' case, so the leanest statement. `$1` stream, `$2` the
/// expected head (0 for `NoStream`), `$3` event id, `$4` type, `$5` payload text, `$6` metadata
/// text, `$7` the notification channel. Returns the row's position, or no row at all.
///
/// The version is `$2 + 1`, computed by the caller. `UNIQUE (stream_id, version)` rejects an
/// expectation below the head (and `NoStream` on an existing stream); an expectation above the
/// head would leave a gap, so the row is inserted only if version `$2` exists: no row back means
/// the expectation failed (the caller then looks up the actual version).
/// `pg_notify` is delivered at commit, so it wakes subscribers only if the row is stored.
pub(crate) const APPEND_ONE: &str = r#"
WITH notified AS (SELECT pg_notify($7, ''))
INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata)
SELECT (pg_current_xact_id()::text::int8 << 20) + 1, $1, $2::int8 + 1, $3, $4, $5::json, $6::json
FROM notified
WHERE $2::int8 = 0 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND version = $2::int8)
RETURNING position
"#;

/// APPEND_ONE for a batch: `$3`..`$6` are arrays, one entry per event in version order; the
/// event at `ord` (1-based) gets version `$2 + ord` and position `(xid << 20) + ord`. Returns
/// one position per stored row, or no row at all when the expectation failed.
pub(crate) const APPEND_BATCH: &str = r#"
WITH notified AS (SELECT pg_notify($7, ''))
INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata)
SELECT (pg_current_xact_id()::text::int8 << 20) + i.ord, $1, $2::int8 + i.ord,
       i.event_id, i.event_type, i.payload::json, i.metadata::json
FROM notified,
     unnest($3::uuid[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS i(event_id, event_type, payload, metadata, ord)
WHERE $2::int8 = 0 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND version = $2::int8)
RETURNING position
"#;

/// Appends any number of events to any number of streams whose heads the caller does not know
/// (`Any`, `StreamExists`, and every `append_multi`): ONE statement, ONE round trip, atomic on
/// its own (no BEGIN/COMMIT). One row of the arrays per event:
/// `$1` stream, `$2` offset of the event within its stream's batch (1-based), `$3` expectation
/// kind (see `append::kind`), `$4` expected version for `Exact`, `$5` event id, `$6` type,
/// `$7` payload text, `$8` metadata text; `$9` the notification channel.
///
/// Versions are computed here from each stream's current head (an index-only lookup on
/// `(stream_id, version)`). A failed expectation makes the version NULL, so the NOT NULL
/// constraint aborts the whole statement (SQLSTATE 23502) and nothing is stored; a concurrent
/// writer that took the same version makes UNIQUE(stream_id, version) abort it (23505).
/// Positions are `(xid << 20) + ord`, `ord` the event's 1-based place in the arrays (see
/// [`POSITION_SHIFT`]), so they increase with the version inside each stream's batch.
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
inserted AS (
    INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata)
    SELECT (pg_current_xact_id()::text::int8 << 20) + i.ord,
           i.stream_id,
           CASE i.kind
               WHEN 0 THEN coalesce(h.head, 0) + i.off
               WHEN 1 THEN CASE WHEN h.head IS NULL THEN i.off END
               WHEN 2 THEN h.head + i.off
               ELSE CASE WHEN h.head = i.exact THEN i.exact + i.off END
           END,
           i.event_id, i.event_type, i.payload::json, i.metadata::json
    FROM input i
    JOIN heads h ON h.stream_id = i.stream_id
    -- One row order for every writer, so two multi-stream appends that wait for each other's
    -- rows cannot deadlock.
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

/// The global order below the safe bound `xmin << 20` (see [`POSITION_SHIFT`]): every row
/// returned was written by a finished transaction, and no transaction in flight can still commit
/// a position below the bound, so a reader that continues after the last row returned never
/// skips one. Always returns at least one row: the page's columns are NULL when it is empty,
/// and `held_back` says whether visible rows at or past `$1` lie beyond the bound (committed
/// out of order while a smaller xid still runs), so the caller knows to look again.
pub(crate) const READ_ALL: &str = concat!(
    "WITH bound AS MATERIALIZED ( \
         SELECT pg_snapshot_xmin(pg_current_snapshot())::text::int8 << 20 AS b) \
     SELECT e.*, \
         EXISTS (SELECT 1 FROM events x WHERE x.position >= greatest($1, (SELECT b FROM bound))) \
             AS held_back \
     FROM bound LEFT JOIN LATERAL (SELECT ",
    event_columns!(),
    " FROM events WHERE position >= $1 AND position < bound.b ORDER BY position LIMIT $2) e \
     ON true"
);

/// READ_ALL with a tighter, equally safe bound, used only when READ_ALL was held back.
///
/// The snapshot's xmin is cluster-wide: a long transaction in *another database* (say, a
/// `CREATE DATABASE` next door) holds it back although it can never write to this table. Here
/// the bound comes from the smallest running xid of the snapshot that is not known to belong to
/// a backend connected to another database (or the snapshot's xmax when none is left). Any
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
             pg_snapshot_xmax((SELECT s FROM snap)))::text::int8 << 20 AS b) \
     SELECT e.*, \
         EXISTS (SELECT 1 FROM events x WHERE x.position >= greatest($1, (SELECT b FROM bound))) \
             AS held_back \
     FROM bound LEFT JOIN LATERAL (SELECT ",
    event_columns!(),
    " FROM events WHERE position >= $1 AND position < bound.b ORDER BY position LIMIT $2) e \
     ON true"
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
