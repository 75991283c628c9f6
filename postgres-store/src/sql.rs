//! Every statement the store sends. Table names are unqualified: each pooled connection has
//! `search_path` set to the configured schema, so no SQL text is ever built at run time and
//! every value travels as a bind parameter.

/// How positions are made, and why `read_all` can trust them.
///
/// Every append, or coalesced group of appends (see `coalesce.rs`), is ONE statement, hence one
/// transaction, and writes
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
/// move past a position that a transaction still in flight is about to commit, and
/// `bound - 1` is a safe checkpoint even when no event sits there.
pub(crate) const POSITION_SHIFT: u32 = 20;

/// The position of the statement's row numbered `$ord` (an SQL expression): `(xid << 20) + ord`
/// while the transaction id is below 2^43, beyond which it would not fit a bigint; past that it
/// fails with a division by zero (SQLSTATE 22012, which the store reports as "positions are
/// exhausted") instead of silently writing a wrapped position. The divisor's operand is not a
/// constant, so the planner cannot fold the failing branch.
macro_rules! position_of {
    ($ord:literal) => {
        concat!(
            "(CASE WHEN pg_current_xact_id()::text::int8 < 8796093022208 \
                   THEN (pg_current_xact_id()::text::int8 << 20) + ",
            $ord,
            " ELSE (pg_current_xact_id()::text::int8 - pg_current_xact_id()::text::int8) / 0 END)"
        )
    };
}

/// How a stream's rows are marked (column `deleted`, see `migrations/0002_*.sql`).
pub(crate) mod state {
    /// A live event.
    pub(crate) const LIVE: i16 = 0;
    /// An event of a soft-deleted stream.
    pub(crate) const SOFT_DELETED: i16 = 1;
    /// An event of a tombstoned stream.
    pub(crate) const HARD_DELETED: i16 = 2;
    /// The tombstone itself, at the version after the stream's last event.
    pub(crate) const TOMBSTONE: i16 = 3;
}

/// One event to one stream whose head the caller knows (`Exact(v)` or `NoStream`): the
/// executor's and most aggregates' case, so the leanest statement. `$1` stream, `$2` the
/// expected head (0 for `NoStream`), `$3` event id, `$4` type, `$5` payload text, `$6` metadata
/// text. Returns the row's position, or no row at all.
///
/// The version is `$2 + 1`, computed by the caller. `UNIQUE (stream_id, version)` rejects an
/// expectation below the head (and `NoStream` on a stream with any history, deleted or not); an
/// expectation above the head would leave a gap, so the row is inserted only if version `$2`
/// exists and is live: no row back means the expectation failed (the caller then looks up what
/// the stream is). The live head row is locked `FOR SHARE` until commit, so a delete of the
/// stream (which locks it `FOR UPDATE` and marks it) either waits for this append or makes it
/// see the mark and insert nothing: deletes and appends of one stream are serialised.
/// No statement notifies: the store's notifier does, after the commit (see `notify.rs`).
pub(crate) const APPEND_ONE: &str = concat!(
    "INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata) \
     SELECT ",
    position_of!("1"),
    ", $1, $2::int8 + 1, $3, $4, $5::json, $6::json \
     WHERE $2::int8 = 0 \
        OR EXISTS (SELECT 1 FROM events \
                   WHERE stream_id = $1 AND version = $2::int8 AND deleted = 0 FOR SHARE) \
     RETURNING position"
);

/// APPEND_ONE for a batch: `$3`..`$6` are arrays, one entry per event in version order; the
/// event at `ord` (1-based) gets version `$2 + ord` and position `(xid << 20) + ord`. Returns
/// one position per stored row, or no row at all when the expectation failed.
pub(crate) const APPEND_BATCH: &str = concat!(
    "INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata) \
     SELECT ",
    position_of!("i.ord"),
    ", $1, $2::int8 + i.ord, i.event_id, i.event_type, i.payload::json, i.metadata::json \
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) \
              WITH ORDINALITY AS i(event_id, event_type, payload, metadata, ord) \
     WHERE $2::int8 = 0 \
        OR EXISTS (SELECT 1 FROM events \
                   WHERE stream_id = $1 AND version = $2::int8 AND deleted = 0 FOR SHARE) \
     RETURNING position"
);

/// Appends any number of events to any number of streams whose heads the caller does not know
/// (`Any`, `StreamExists`, every `append_multi`, `NoStream` on a stream with a deleted history),
/// for one call or for a coalesced group of calls (see `coalesce.rs`): ONE statement, ONE round
/// trip, ONE transaction (no BEGIN/COMMIT). One row of the arrays per event: `$1` stream, `$2`
/// offset of the event within its stream's batch (1-based), `$3` expectation kind (see
/// `append::kind`), `$4` expected version for `Exact`, `$5` event id, `$6` type, `$7` payload
/// text, `$8` metadata text, `$9` the call the event belongs to. No two calls of a group share
/// a stream.
///
/// Each stream's head row (its highest version, live or not) is read from the
/// `(stream_id, version)` index and locked `FOR SHARE` (see APPEND_ONE: it serialises the
/// append with a delete of the stream). Versions continue after the head whatever its state;
/// an expectation is checked against the head only when it is live. A failed expectation, or a
/// tombstoned stream, gives its event no version (`checked`), and then no event of that CALL is
/// inserted: each call is all or nothing, and a failing call costs the others of its group
/// nothing. A stream with no row back was not appended to; the caller looks up why. A
/// concurrent writer that took the same version, or a stored event id, makes a unique
/// constraint abort the whole statement (23505): nothing of any call is stored. Positions are
/// `(xid << 20) + ord`, `ord` the event's 1-based place in the arrays, so they increase with
/// the version inside each stream's batch and never repeat inside the transaction.
pub(crate) const APPEND: &str = concat!(
    r#"
WITH input AS MATERIALIZED (
    SELECT *
    FROM unnest($1::text[], $2::int8[], $3::int4[], $4::int8[],
                $5::uuid[], $6::text[], $7::text[], $8::text[], $9::int4[])
         WITH ORDINALITY AS i(stream_id, off, kind, exact, event_id, event_type, payload, metadata, call, ord)
),
heads AS MATERIALIZED (
    SELECT s.stream_id, h.version AS head, coalesce(h.deleted = 0, false) AS live,
           coalesce(h.deleted = 3, false) AS tombstoned
    FROM (SELECT DISTINCT stream_id FROM input) s
    LEFT JOIN LATERAL (
        SELECT e.version, e.deleted FROM events e WHERE e.stream_id = s.stream_id
        ORDER BY e.version DESC LIMIT 1 FOR SHARE
    ) h ON true
),
checked AS MATERIALIZED (
    SELECT i.*,
           CASE
               WHEN h.tombstoned THEN NULL
               WHEN i.kind = 0 THEN coalesce(h.head, 0) + i.off
               WHEN i.kind = 1 THEN CASE WHEN NOT h.live THEN coalesce(h.head, 0) + i.off END
               WHEN i.kind = 2 THEN CASE WHEN h.live THEN h.head + i.off END
               ELSE CASE WHEN h.live AND h.head = i.exact THEN i.exact + i.off END
           END AS version
    FROM input i
    JOIN heads h ON h.stream_id = i.stream_id
),
inserted AS (
    INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata)
    SELECT "#,
    position_of!("c.ord"),
    r#",
           c.stream_id, c.version, c.event_id, c.event_type, c.payload::json, c.metadata::json
    FROM checked c
    WHERE NOT EXISTS (SELECT 1 FROM checked f WHERE f.call = c.call AND f.version IS NULL)
    -- One row order for every writer, so two multi-stream appends that wait for each other's
    -- rows cannot deadlock.
    ORDER BY c.stream_id, c.off
    RETURNING stream_id, version, position
)
SELECT s.stream_id,
       min(s.version)  AS first_version,
       max(s.version)  AS last_version,
       min(s.position) AS first_position,
       max(s.position) AS last_position
FROM inserted s
GROUP BY s.stream_id
"#
);

/// Stored events among the given ids, deleted ones included: their ids stay reserved (failure
/// path of an append only).
pub(crate) const STORED_IDS: &str = r#"
SELECT event_id, stream_id, version FROM events WHERE event_id = ANY($1::uuid[]) AND deleted <> 3
"#;

/// Each given stream's head row: its highest version and how it is marked (failure path of an
/// append only).
pub(crate) const HEADS: &str = r#"
SELECT s.stream_id, h.version AS head, h.deleted AS state
FROM unnest($1::text[]) AS s(stream_id)
LEFT JOIN LATERAL (
    SELECT e.version, e.deleted FROM events e WHERE e.stream_id = s.stream_id
    ORDER BY e.version DESC LIMIT 1
) h ON true
"#;

/// The columns every read returns, which `rows::Decoder` reads.
macro_rules! event_columns {
    () => {
        "position, stream_id, version, event_id, event_type, payload::text AS payload, \
         metadata::text AS metadata, recorded_at"
    };
}

/// Whether the stream's head row is the tombstone (one backward index probe).
macro_rules! tombstoned {
    () => {
        "coalesce((SELECT deleted = 3 FROM events WHERE stream_id = $1 \
         ORDER BY version DESC LIMIT 1), false) AS tombstoned"
    };
}

/// A stream's live events from version `$2` on, oldest first, at most `$3`. Always returns at
/// least one row: the event columns are NULL when there is none, and `tombstoned` says whether
/// the stream is gone for good.
pub(crate) const READ_FORWARD: &str = concat!(
    "SELECT e.*, ",
    tombstoned!(),
    " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT ",
    event_columns!(),
    " FROM events WHERE stream_id = $1 AND version >= $2 AND deleted = 0 \
      ORDER BY version LIMIT $3) e ON true"
);

/// READ_FORWARD newest first, from version `$2` down.
pub(crate) const READ_BACKWARD: &str = concat!(
    "SELECT e.*, ",
    tombstoned!(),
    " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT ",
    event_columns!(),
    " FROM events WHERE stream_id = $1 AND version <= $2 AND deleted = 0 \
      ORDER BY version DESC LIMIT $3) e ON true"
);

/// A run of a stream's events from version `$2`, deleted ones included (the re-send check:
/// an exact re-send of deleted events is still recognised).
pub(crate) const READ_RUN: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM events WHERE stream_id = $1 AND version >= $2 AND deleted <> 3 ORDER BY version LIMIT $3"
);

/// The stream's head row.
pub(crate) const STREAM_HEAD: &str = "SELECT version, position, event_id, deleted FROM events WHERE stream_id = $1 \
     ORDER BY version DESC LIMIT 1";

/// The filter of a read of the global order on table alias `$alias`: `$3` event types, `$4`
/// categories (each NULL for "any"). A category is the text before the first `-`.
macro_rules! filter {
    ($alias:literal) => {
        concat!(
            "($3::text[] IS NULL OR ",
            $alias,
            ".event_type = ANY($3)) AND ($4::text[] IS NULL OR (strpos(",
            $alias,
            ".stream_id, '-') > 0 AND split_part(",
            $alias,
            ".stream_id, '-', 1) = ANY($4)))"
        )
    };
}

/// The page of the global order after position `$1`: live events below the safe bound (see
/// [`POSITION_SHIFT`]) that pass the filter (`$3`, `$4`), at most `$2`. Every row returned was
/// written by a finished transaction, and no transaction in flight can still commit a position
/// below the bound. Always returns at least one row: the event columns are NULL when the page
/// is empty; `bound` is the bound used, `held_back` says whether matching events past `$1` are
/// visible beyond the bound (committed out of order while a smaller xid still runs), and
/// `behind` whether any events are (which a tighter bound might let the checkpoint pass).
macro_rules! read_all {
    ($bound:expr) => {
        concat!(
            "WITH bound AS MATERIALIZED (SELECT ",
            $bound,
            " AS b) SELECT e.*, (SELECT b FROM bound) AS bound, ",
            any_past_bound!("x", filter!("x")),
            " AS held_back, ",
            any_past_bound!("y", "true"),
            " AS behind \
             FROM bound LEFT JOIN LATERAL (SELECT ",
            event_columns!(),
            " FROM events v WHERE v.position > $1 AND v.position < bound.b AND v.deleted = 0 AND ",
            filter!("v"),
            " ORDER BY v.position LIMIT $2) e ON true"
        )
    };
}

/// Whether a live event that passes `$filter` lies at or past the bound (and after `$1`), on
/// table alias `$alias`: the first such position in index order, so the scan starts at the
/// bound and stops at the first match. (An `EXISTS` here was planned as a sequential scan of
/// the whole table, because the bound is unknown when the query is planned: every page of a
/// catch-up read the table once, 0.10 of a raw paged SELECT over 100,000 events.)
macro_rules! any_past_bound {
    ($alias:literal, $filter:expr) => {
        concat!(
            "((SELECT ",
            $alias,
            ".position FROM events ",
            $alias,
            " WHERE ",
            $alias,
            ".position >= greatest($1 + 1, (SELECT b FROM bound)) AND ",
            $alias,
            ".deleted = 0 AND ",
            $filter,
            " ORDER BY ",
            $alias,
            ".position LIMIT 1) IS NOT NULL)"
        )
    };
}

/// The cluster-wide safe bound: the snapshot's xmin.
macro_rules! cluster_bound {
    () => {
        "pg_snapshot_xmin(pg_current_snapshot())::text::int8 << 20"
    };
}

/// A page of the global order below the cluster-wide bound: the cheap first try, enough
/// whenever no event lies past it.
pub(crate) const READ_ALL: &str = read_all!(cluster_bound!());

/// The page read of the precise path, in a REPEATABLE READ transaction whose first statement
/// was [`CLEARED_XIDS`]: `$5` are the running xids it found provably unable to write events.
/// The bound is the smallest xid still running in the transaction's snapshot that is not
/// cleared, or the snapshot's xmax when none is.
///
/// A running xid that `$5` does not clear keeps the bound low: conservative, never unsafe (it
/// may have ended while the first statement ran, a window without a round trip; the next read
/// no longer sees it). On a hot standby the snapshot
/// shows no running xids (they sit in its `subxip`), so the bound is the snapshot's xmin.
/// Besides the page, the first row names the blocker from pg_stat_activity: the backend, its
/// transaction's start, state and query (NULL when the bound is not held back or the backend
/// is gone).
pub(crate) const READ_ALL_PRECISE: &str = concat!(
    "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s), \
     running AS MATERIALIZED ( \
         SELECT x::text::int8 AS xid FROM pg_snapshot_xip((SELECT s FROM snap)) AS x \
         WHERE NOT (x::text::int8 = ANY($5::int8[]))), \
     blocker AS MATERIALIZED ( \
         SELECT r.xid, a.pid, a.xact_start, a.state, left(a.query, 200) AS query \
         FROM (SELECT xid FROM running ORDER BY xid LIMIT 1) r \
         LEFT JOIN pg_stat_activity a ON a.backend_xid::text::int8 = r.xid % 4294967296), \
     bound AS MATERIALIZED ( \
         SELECT CASE WHEN pg_is_in_recovery() \
             THEN pg_snapshot_xmin((SELECT s FROM snap))::text::int8 \
             ELSE coalesce((SELECT xid FROM blocker), pg_snapshot_xmax((SELECT s FROM snap))::text::int8) \
         END << 20 AS b) \
     SELECT e.*, (SELECT b FROM bound) AS bound, \
         ",
    any_past_bound!("x", filter!("x")),
    " AS held_back, false AS behind, pg_is_in_recovery() AS standby, \
         (SELECT pid FROM blocker) AS blocker_pid, (SELECT xid FROM blocker) AS blocker_xid, \
         (SELECT xact_start FROM blocker) AS blocker_start, \
         (SELECT state FROM blocker) AS blocker_state, (SELECT query FROM blocker) AS blocker_query \
     FROM bound LEFT JOIN LATERAL (SELECT ",
    event_columns!(),
    " FROM events v WHERE v.position > $1 AND v.position < bound.b AND v.deleted = 0 AND ",
    filter!("v"),
    " ORDER BY v.position LIMIT $2) e ON true"
);

/// The first statement of the precise path: it fixes the transaction's snapshot, reads the
/// lock table once, and returns the xids running in the snapshot that provably cannot write
/// events. Such an xid's backend held the xid's own lock and no lock on this database's events
/// table that lets it write there when the lock table was read, and the xid is still in
/// progress after that (`pg_xact_status` of each candidate runs on the lock table's rows, so
/// after it was read). A transaction releases its locks only after it stops being in progress,
/// and the store's appends and deletes take the table's lock before they get an xid, so a
/// cleared transaction has written no event and will write none: a report reading events, a
/// job writing other tables, a transaction of another database. Prepared transactions (no
/// backend) are never cleared.
pub(crate) const CLEARED_XIDS: &str = "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s), \
     l AS MATERIALIZED ( \
         SELECT locktype, database, relation, transactionid, pid, mode, granted FROM pg_locks), \
     writers AS MATERIALIZED ( \
         SELECT DISTINCT pid FROM l \
         WHERE locktype = 'relation' AND relation = 'events'::regclass \
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND mode NOT IN ('AccessShareLock', 'ShareLock') AND pid IS NOT NULL), \
     candidates AS MATERIALIZED ( \
         SELECT x AS xid FROM pg_snapshot_xip((SELECT s FROM snap)) AS x \
         JOIN l ON l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted \
               AND l.transactionid::text::int8 = x::text::int8 % 4294967296 \
         WHERE l.pid IS NOT NULL AND l.pid NOT IN (SELECT pid FROM writers)) \
     SELECT coalesce(array_agg(xid::text::int8), '{}') FROM candidates \
     WHERE pg_xact_status(xid) = 'in progress'";

/// Opens the precise path's transaction: one snapshot for every statement, read only.
pub(crate) const BEGIN_PRECISE: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// Locks a stream's head row for a delete (waits for appends that hold it).
pub(crate) const LOCK_HEAD: &str = "SELECT version, deleted FROM events WHERE stream_id = $1 \
     ORDER BY version DESC LIMIT 1 FOR UPDATE";

/// The stream's highest version, from a fresh snapshot (a delete checks that the head it
/// locked is still the head).
pub(crate) const MAX_VERSION: &str = "SELECT max(version) FROM events WHERE stream_id = $1";

/// Marks a stream's rows deleted: `$2` is the mark (soft or hard); rows already marked at
/// least that much keep their mark.
pub(crate) const MARK_DELETED: &str =
    "UPDATE events SET deleted = $2 WHERE stream_id = $1 AND deleted < $2";

/// The tombstone: a marker row at version `$2` (the one after the last), never read.
pub(crate) const INSERT_TOMBSTONE: &str = concat!(
    "INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata, deleted) \
     VALUES (",
    position_of!("1"),
    ", $1, $2, $3, '$tombstone', 'null', '{}', 3)"
);

/// Whether the schema has an events table yet.
pub(crate) const HAS_EVENTS: &str = "SELECT to_regclass('events') IS NOT NULL";

/// The highest stored position and the lowest position a transaction starting now could write
/// (`xmax << 20`): a store whose positions are above the second was restored into a cluster whose
/// transaction ids are behind it.
pub(crate) const POSITIONS_AHEAD: &str = "SELECT (SELECT max(position) FROM events) AS stored, \
     pg_snapshot_xmax(pg_current_snapshot())::text::int8 << 20 AS next";

/// A deleted stream's snapshot goes with it.
pub(crate) const DELETE_SNAPSHOT: &str = "DELETE FROM snapshots WHERE stream_id = $1";

/// Highest version wins: an older snapshot never replaces a newer one; the same version
/// replaces.
pub(crate) const SAVE_SNAPSHOT: &str = r#"
INSERT INTO snapshots (stream_id, version, event_id, position, state)
VALUES ($1, $2, $3, $4, $5::json)
ON CONFLICT (stream_id) DO UPDATE
    SET version = excluded.version, event_id = excluded.event_id,
        position = excluded.position, state = excluded.state, saved_at = now()
    WHERE excluded.version >= snapshots.version
"#;

pub(crate) const LOAD_SNAPSHOT: &str = "SELECT version, event_id, position, state::text AS state \
     FROM snapshots WHERE stream_id = $1";

pub(crate) const LOAD_CHECKPOINT: &str = "SELECT checkpoint FROM checkpoints WHERE name = $1";

/// Saves a first checkpoint; no row back when one exists already.
pub(crate) const INSERT_CHECKPOINT: &str = "INSERT INTO checkpoints (name, checkpoint) \
     VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING 1";

/// Moves a checkpoint from `$2` to `$3`; no row back when it is not at `$2`.
pub(crate) const MOVE_CHECKPOINT: &str = "UPDATE checkpoints SET checkpoint = $3, updated_at = now() \
     WHERE name = $1 AND checkpoint = $2 RETURNING 1";

#[cfg(test)]
mod tests {
    use super::*;

    /// A notification inside an append makes its commit take PostgreSQL's cluster-wide notify
    /// lock, which serialises concurrent writers; the notifier sends it after the commit.
    #[test]
    fn no_append_statement_notifies() {
        for statement in [APPEND_ONE, APPEND_BATCH, APPEND] {
            assert!(!statement.contains("pg_notify"), "{statement}");
            assert!(!statement.to_lowercase().contains("notify"), "{statement}");
        }
    }
}
