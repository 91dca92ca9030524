-- A claim whose cost does not grow with the work already done (docs/BENCHMARKS.md, "Backlog").
--
-- 1. hook_outbox is partitioned by status. Unfinished rows live in hook_outbox_active, a table
--    sized to the work in flight; delivered and failed rows move (PostgreSQL moves a row whose
--    partition key changes) to partitions of their own. Operators still query hook_outbox: it
--    shows every row, as before. A week of delivered rows no longer sits in the indexes that
--    every claim walks, and the active partition is small enough to vacuum often.
-- 2. Followers are parked. Of one cluster's unfinished rows only the earliest (its head) is
--    pending, delivering or waiting for a retry; the rows behind it are 'queued' and are not in
--    the claim index at all. When a head is delivered or fails, the next queued row of its cluster
--    becomes pending in the same transaction. A cluster whose head waits out a long backoff no
--    longer costs every claim a walk over the rows it holds back.
-- 3. The claim reads (next_attempt_at, id) of pending rows only: a head waiting for its retry sorts
--    after now() and is never stepped over.
--
-- Everything here is PostgreSQL-only DDL that jOOQ's DDL simulation does not need: the columns
-- are those of V1, and the generated classes keep reading hook_outbox as one table.

-- [jooq ignore start]

-- No foreign key can point at a table partitioned by status (a unique key there must include
-- status), and an attempt's history outlives the move of its row between partitions. Retention
-- deletes a row's attempts with the row.
ALTER TABLE hook_delivery_attempt DROP CONSTRAINT IF EXISTS hook_delivery_attempt_outbox_id_fkey;

DROP VIEW pending_hooks;
DROP VIEW failed_hooks;
DROP TRIGGER hook_outbox_notify ON hook_outbox;
ALTER TABLE hook_outbox RENAME TO hook_outbox_v1;
ALTER TABLE hook_outbox_v1 RENAME CONSTRAINT hook_outbox_status_check TO hook_outbox_v1_status_check;
ALTER TABLE hook_outbox_v1 RENAME CONSTRAINT hook_outbox_attempts_check TO hook_outbox_v1_attempts_check;
DROP INDEX hook_outbox_hook_work_id_key, hook_outbox_active_idx, hook_outbox_due_idx,
    hook_outbox_lease_idx, hook_outbox_cluster_active_idx, hook_outbox_delivered_idx;

CREATE TABLE hook_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY,
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
        CHECK (status IN ('queued', 'pending', 'delivering', 'delivered', 'failed')),
    CONSTRAINT hook_outbox_attempts_check CHECK (attempts >= 0)
) PARTITION BY LIST (status);

COMMENT ON TABLE hook_outbox IS 'Hooks waiting for, being given, or done with delivery to the integrator. Partitioned by status: hook_outbox_active (queued, pending, delivering), hook_outbox_delivered, hook_outbox_failed.';
COMMENT ON COLUMN hook_outbox.payload IS 'Exactly the JSON body that is delivered.';
COMMENT ON COLUMN hook_outbox.webhook_id IS 'Sent as the webhook-id header: the same on every attempt, an idempotency key for the integrator.';
COMMENT ON COLUMN hook_outbox.status IS 'queued (behind an earlier row of its cluster), pending, delivering (leased to locked_by until locked_until), delivered or failed.';
COMMENT ON COLUMN hook_outbox.replayed_at IS 'Set by replay; --max-age counts from here when set, else from created_at.';

-- The active partition churns: every delivery leaves dead tuples behind. It is vacuumed by the
-- relay itself when they pile up (OutboxRepository.vacuumActive); these settings make autovacuum
-- a quick backstop rather than a pass that waits for a fifth of the table to be dead.
CREATE TABLE hook_outbox_active PARTITION OF hook_outbox FOR VALUES IN ('queued', 'pending', 'delivering')
    WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
          autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 50000,
          autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02);
CREATE TABLE hook_outbox_delivered PARTITION OF hook_outbox FOR VALUES IN ('delivered');
CREATE TABLE hook_outbox_failed PARTITION OF hook_outbox FOR VALUES IN ('failed');

-- Ids stay unique across partitions: they all come from the one identity sequence.
CREATE UNIQUE INDEX hook_outbox_active_id_key ON hook_outbox_active (id);
CREATE UNIQUE INDEX hook_outbox_delivered_id_key ON hook_outbox_delivered (id);
CREATE UNIQUE INDEX hook_outbox_failed_id_key ON hook_outbox_failed (id);

-- The claim: due heads in due order. Only pending rows are in it, one per busy cluster.
CREATE INDEX hook_outbox_claim_idx ON hook_outbox_active (next_attempt_at, id) WHERE status = 'pending';

-- Leases to take over when a relay died mid-delivery. Partial on locked_until, not on status: a
-- predicate on status would offer the planner a cheap list of "all delivering rows", and with
-- statistics taken while few rows were delivering it chose that list (then thousands long) over
-- the id index for every completion.
CREATE INDEX hook_outbox_lease_idx ON hook_outbox_active (locked_until) WHERE locked_until IS NOT NULL;

-- A cluster's unfinished rows in order: "is there a head?" and "which row is next?".
CREATE INDEX hook_outbox_cluster_idx ON hook_outbox_active (cluster_id, id);

-- A cluster's head, if it has one: one entry per cluster with a row pending or delivering.
CREATE INDEX hook_outbox_head_idx ON hook_outbox_active (cluster_id) WHERE status IN ('pending', 'delivering');

-- A repeated post-hook with the same (hook, work_id) stores nothing new. Within the active
-- partition a unique index decides races between concurrent intakes; the finished partitions are
-- looked up by the insert (OutboxRepository.enqueue), which sees a moved row in one partition or
-- the other, never in neither.
CREATE UNIQUE INDEX hook_outbox_active_hook_work_id_key ON hook_outbox_active (hook, work_id) WHERE work_id <> '';
CREATE INDEX hook_outbox_delivered_hook_work_id_idx ON hook_outbox_delivered (hook, work_id) WHERE work_id <> '';
CREATE INDEX hook_outbox_failed_hook_work_id_idx ON hook_outbox_failed (hook, work_id) WHERE work_id <> '';

-- Retention: delivered rows, oldest first. Cluster lookups for `outbox list --cluster`.
CREATE INDEX hook_outbox_delivered_at_idx ON hook_outbox_delivered (delivered_at);
CREATE INDEX hook_outbox_delivered_cluster_idx ON hook_outbox_delivered (cluster_id, id);
CREATE INDEX hook_outbox_failed_cluster_idx ON hook_outbox_failed (cluster_id, id);

-- Existing rows keep their ids. Of each cluster's unfinished rows the earliest stays the head and
-- the others are parked behind it.
INSERT INTO hook_outbox OVERRIDING SYSTEM VALUE
SELECT id, hook, work_id, cluster_id, payload, webhook_id,
       CASE WHEN status = 'pending' AND cluster_id <> ''
                 AND id <> min(id) FILTER (WHERE status IN ('pending', 'delivering'))
                        OVER (PARTITION BY cluster_id)
            THEN 'queued' ELSE status END,
       attempts, locked_by, locked_until, next_attempt_at, last_attempt_at, last_http_status,
       last_error, created_at, replayed_at, delivered_at
FROM hook_outbox_v1;

SELECT setval(pg_get_serial_sequence('hook_outbox', 'id'),
              greatest((SELECT max(id) FROM hook_outbox), 1),
              (SELECT max(id) FROM hook_outbox) IS NOT NULL);

DROP TABLE hook_outbox_v1;
DROP FUNCTION hook_outbox_notify();

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
WHERE status IN ('queued', 'pending', 'delivering')
ORDER BY id;

CREATE VIEW failed_hooks AS
SELECT id, hook, cluster_id, work_id, attempts, last_http_status, last_error, last_attempt_at,
       created_at, payload
FROM hook_outbox
WHERE status = 'failed'
ORDER BY id;

-- [jooq ignore stop]
