-- The outbox of post-hooks (and of pre-hooks that could not be delivered synchronously).
-- This schema is public: operators inspect it with SQL, so names and meanings are part of
-- the contract (DESIGN.md section 5). Timestamps are timestamptz, all written from the
-- database clock.
--
-- Indexed text columns are varchar: jOOQ generates its classes from this file by simulating
-- the DDL, and that simulation cannot index a text column. PostgreSQL-only statements stand
-- between "[jooq ignore start]" and "[jooq ignore stop]" for the same reason.

CREATE TABLE hook_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hook             varchar      NOT NULL,
    work_id          varchar      NOT NULL DEFAULT '',
    cluster_id       varchar      NOT NULL DEFAULT '',
    payload          jsonb        NOT NULL,
    webhook_id       varchar      NOT NULL,
    status           varchar      NOT NULL DEFAULT 'pending',
    attempts         integer      NOT NULL DEFAULT 0,
    locked_by        varchar,
    locked_until     timestamptz,
    next_attempt_at  timestamptz  NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    last_http_status integer,
    last_error       text,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    replayed_at      timestamptz,
    delivered_at     timestamptz,
    CONSTRAINT hook_outbox_status_check
        CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    CONSTRAINT hook_outbox_attempts_check CHECK (attempts >= 0)
);

COMMENT ON TABLE hook_outbox IS 'Hooks waiting for, being given, or done with delivery to the integrator.';
COMMENT ON COLUMN hook_outbox.payload IS 'Exactly the JSON body that is delivered.';
COMMENT ON COLUMN hook_outbox.webhook_id IS 'Sent as the webhook-id header: the same on every attempt, an idempotency key for the integrator.';
COMMENT ON COLUMN hook_outbox.status IS 'pending, delivering (leased to locked_by until locked_until), delivered or failed.';
COMMENT ON COLUMN hook_outbox.replayed_at IS 'Set by replay; --max-age counts from here when set, else from created_at.';

CREATE TABLE hook_delivery_attempt (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id     bigint      NOT NULL REFERENCES hook_outbox (id) ON DELETE CASCADE,
    attempt       integer     NOT NULL,
    locked_by     varchar     NOT NULL,
    started_at    timestamptz NOT NULL,
    duration_ms   integer     NOT NULL,
    http_status   integer,
    error         text,
    response_body text
);

COMMENT ON TABLE hook_delivery_attempt IS 'One row per delivery attempt of a hook_outbox row.';
COMMENT ON COLUMN hook_delivery_attempt.response_body IS 'The first 2 KiB of the integrator''s answer.';

CREATE INDEX hook_delivery_attempt_outbox_idx ON hook_delivery_attempt (outbox_id);

-- [jooq ignore start]

-- A repeated post-hook with the same (hook, work_id) stores nothing new.
CREATE UNIQUE INDEX hook_outbox_hook_work_id_key ON hook_outbox (hook, work_id) WHERE work_id <> '';

-- Unfinished rows in id order: what the drainer claims from, without walking delivered rows.
CREATE INDEX hook_outbox_active_idx ON hook_outbox (id) WHERE status IN ('pending', 'delivering');

-- The earliest retry due, for the drainer's timer.
CREATE INDEX hook_outbox_due_idx ON hook_outbox (next_attempt_at) WHERE status = 'pending';

-- Leases to take over when a relay died mid-delivery.
CREATE INDEX hook_outbox_lease_idx ON hook_outbox (locked_until) WHERE status = 'delivering';

-- Per-cluster ordering: "is there an earlier unfinished row of this cluster?"
CREATE INDEX hook_outbox_cluster_active_idx ON hook_outbox (cluster_id, id)
    WHERE status IN ('pending', 'delivering');

-- Retention: delivered rows, oldest first.
CREATE INDEX hook_outbox_delivered_idx ON hook_outbox (delivered_at) WHERE status = 'delivered';

-- One notification per committing transaction that stored rows: PostgreSQL folds identical
-- notifications of one transaction into one, and this trigger fires once per statement.
CREATE FUNCTION hook_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hook_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER hook_outbox_notify AFTER INSERT ON hook_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION hook_outbox_notify();

CREATE VIEW pending_hooks AS
SELECT id, hook, cluster_id, work_id, status, attempts, next_attempt_at, locked_by, locked_until,
       last_http_status, last_error, created_at, now() - created_at AS age
FROM hook_outbox
WHERE status IN ('pending', 'delivering')
ORDER BY id;

CREATE VIEW failed_hooks AS
SELECT id, hook, cluster_id, work_id, attempts, last_http_status, last_error, last_attempt_at,
       created_at, payload
FROM hook_outbox
WHERE status = 'failed'
ORDER BY id;

-- [jooq ignore stop]
