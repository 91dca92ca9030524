-- Traces (DESIGN section 7): the W3C traceparent of the call that stored a row, so that each
-- delivery attempt, however late and on whichever relay, continues the caller's trace.
--
-- Outside any [jooq ignore] block: jOOQ's DDL simulation adds the column to the generated classes.
-- hook_outbox is partitioned by status (V2); a column added to the parent reaches every partition.
-- Nullable, with no default: existing rows and rows stored without a traceparent have none, and
-- adding it rewrites nothing.

ALTER TABLE hook_outbox ADD COLUMN traceparent varchar;

COMMENT ON COLUMN hook_outbox.traceparent IS 'The W3C traceparent (version-traceid-spanid-flags) of the call that stored the row; every delivery attempt continues that trace and sends it to the integrator. Null when the call carried none.';
