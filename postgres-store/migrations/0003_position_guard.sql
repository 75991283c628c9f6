-- Positions are `(xid << 20) + n` in a bigint: from transaction id 2^43 on, the shift would
-- silently overflow. The default of hand-written rows gets the same guard as the store's own
-- statements (see `src/sql.rs`): past the last position, the insert fails (division by zero,
-- reported by the store as "positions are exhausted") instead of writing a wrapped position.
ALTER TABLE events ALTER COLUMN position SET DEFAULT (
    CASE WHEN pg_current_xact_id()::text::int8 < 8796093022208
         THEN (pg_current_xact_id()::text::int8 << 20) + nextval('events_row_seq')
         ELSE (pg_current_xact_id()::text::int8 - pg_current_xact_id()::text::int8) / 0
    END);
