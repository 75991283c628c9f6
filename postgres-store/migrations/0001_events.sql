-- The event store's schema. Unqualified names: `PgStore::migrate` runs this with `search_path`
-- set to the configured schema; with your own tooling, set `search_path` the same way.
--
-- Payload and metadata are `json`, not `jsonb`, on purpose: `json` keeps the exact text the
-- writer sent (key order, spacing, number spelling), costs only a syntax check on insert (no
-- conversion to the binary form), and accepts a `\u0000` escape inside strings, which `jsonb`
-- rejects. The store never queries inside payloads, so jsonb's operators would buy nothing.

-- Global order. Positions are drawn *before* commit, so they can become visible out of order;
-- readers of the global order use `tx` to stay safe (see the append and read_all statements).
CREATE SEQUENCE events_position_seq AS bigint;

CREATE TABLE events (
    position    bigint      PRIMARY KEY DEFAULT nextval('events_position_seq'),
    stream_id   text        NOT NULL,
    version     bigint      NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    payload     json        NOT NULL,
    metadata    json        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- The writing transaction. A row is safe to hand to a reader of the global order once every
    -- transaction that could still commit a smaller position has finished.
    tx          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    -- One event per version, enforced by the database even if the code is wrong; also the
    -- index behind every stream read and every "current version" lookup.
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_version_positive CHECK (version > 0)
);

ALTER SEQUENCE events_position_seq OWNED BY events.position;

CREATE TABLE snapshots (
    stream_id text        PRIMARY KEY,
    version   bigint      NOT NULL CHECK (version > 0),
    state     json        NOT NULL,
    saved_at  timestamptz NOT NULL DEFAULT now()
);
