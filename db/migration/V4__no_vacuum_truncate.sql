-- Vacuums of the active partition leave its empty pages in place (docs/BENCHMARKS.md, "Backlog").
--
-- After a backlog drains, the end of hook_outbox_active is empty pages, and a vacuum by default
-- gives them back to the operating system. To do so it takes the partition's ACCESS EXCLUSIVE lock
-- and holds it while it checks the pages: every claim, completion and intake waits meanwhile, and
-- dead tuples pile up behind the blocked vacuum. Measured on a million-row backlog: the relay's
-- vacuums stalled for tens of seconds at a time, and the drain ran at 4,933 deliveries/s with its
-- slowest tenth 76 % of its fastest; without the truncation, 6,694/s and 85 %. The pages are not
-- lost: the next rows stored reuse them.
--
-- A storage parameter, so autovacuum and an operator's own VACUUM keep the pages too.

-- [jooq ignore start]
ALTER TABLE hook_outbox_active SET (vacuum_truncate = false);
-- [jooq ignore stop]
