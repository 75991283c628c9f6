-- The event store's schema. Unqualified names: `PgStore::migrate` runs this with `search_path`
-- set to the configured schema; with your own tooling, set `search_path` the same way.
--
-- Payload and metadata are `json`, not `jsonb`, on purpose: `json` keeps the exact text the
-- writer sent (key order, spacing, number spelling), costs only a syntax check on insert (no
-- conversion to the binary form), and accepts a `\u0000` escape inside strings, which `jsonb`
-- rejects. The store never queries inside payloads, so jsonb's operators would buy nothing.

-- Global order. The store's append statements write `position = (xid << 20) + n`, `xid` the
-- writing transaction's 64-bit id and `n` the row's 1-based number in the statement (below
-- 2^20): unique, increasing with the version inside a batch, with gaps. A reader of the global
-- order stops below `xmin << 20` of its snapshot, so it never moves past a position that a
-- transaction still in flight may commit (see `src/sql.rs`). The store always supplies
-- `position`; the default only gives rows inserted by hand (tests, tools, `LIKE events`
-- copies) a position of the same shape, the cycling sequence numbering their rows.
CREATE SEQUENCE events_row_seq AS integer MINVALUE 1 MAXVALUE 1048575 CYCLE;

CREATE TABLE events (
    position    bigint      PRIMARY KEY
                            DEFAULT ((pg_current_xact_id()::text::int8 << 20) + nextval('events_row_seq')),
    stream_id   text        NOT NULL,
    version     bigint      NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    payload     json        NOT NULL,
    metadata    json        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- One event per version, enforced by the database even if the code is wrong; also the
    -- index behind every stream read and every "current version" lookup.
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_version_positive CHECK (version > 0)
);

ALTER SEQUENCE events_row_seq OWNED BY events.position;

CREATE TABLE snapshots (
    stream_id text        PRIMARY KEY,
    version   bigint      NOT NULL CHECK (version > 0),
    state     json        NOT NULL,
    saved_at  timestamptz NOT NULL DEFAULT now()
);
