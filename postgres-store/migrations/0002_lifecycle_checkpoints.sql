-- es-core v2: KurrentDB-style deletion, snapshots tied to their event, checkpoints.
--
-- Deleted events stay in the table, marked, so that a stream's numbering continues after a
-- soft delete (UNIQUE (stream_id, version) keeps (stream, version) naming one event for ever)
-- and their ids stay reserved (UNIQUE (event_id)). Every read filters on `deleted = 0`.
--   0  live
--   1  soft-deleted (the stream may be written again; it continues after the deleted versions)
--   2  hard-deleted (the stream is tombstoned)
--   3  the tombstone itself: a marker row at the version after the stream's last event, never
--      read, so that the tombstone and any racing append of that version meet on the unique
--      index and one of them loses
-- A stream's state is therefore its head row (the highest version): live, soft-deleted, or
-- the tombstone.
ALTER TABLE events ADD COLUMN deleted smallint NOT NULL DEFAULT 0
    CONSTRAINT events_deleted_known CHECK (deleted BETWEEN 0 AND 3);

-- A snapshot names the event it was taken at; a loader refuses it when that event is gone.
-- Snapshots are a cache: the ones kept before this migration cannot name their event and go.
DELETE FROM snapshots;
ALTER TABLE snapshots
    ADD COLUMN event_id uuid NOT NULL,
    ADD COLUMN position bigint NOT NULL;

-- Where readers of the global order keep their place, saved by compare-and-set.
CREATE TABLE checkpoints (
    name       text        PRIMARY KEY,
    checkpoint text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
