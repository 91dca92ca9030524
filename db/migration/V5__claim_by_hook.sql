-- Due heads by hook, for a claim that leaves some hooks out (docs/BENCHMARKS.md, eleventh session).
--
-- While one endpoint is out (its breaker open, or its calls hanging), the relays claim every hook
-- but that one. The claim index orders the due heads by time alone, so such a claim stepped over
-- the failing hook's due heads one by one: with 100,000 of them, 14.3 ms a claim, against 0.66 ms
-- reading each other hook's earliest heads from this index. Like the claim index it holds only the
-- heads that are pending (at most one per cluster), on the active partition.
--
-- Building it reads the active partition once and holds off writes to it meanwhile: about a
-- second per million rows there. Relays of any version run beside it.

-- [jooq ignore start]
CREATE INDEX hook_outbox_claim_by_hook_idx ON hook_outbox_active (hook, next_attempt_at, id)
    WHERE status = 'pending';
-- [jooq ignore stop]
