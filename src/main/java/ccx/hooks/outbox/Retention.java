package ccx.hooks.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Housekeeping that keeps the outbox's cost flat: deleting delivered rows past the retention, and
 * vacuuming the active partition before dead tuples pile up in the claim index.
 */
record Retention(DSLContext dsl, DatabaseClock clock) {
  /**
   * Deletes up to {@code batch} rows delivered more than {@code retention} ago, with their
   * attempts. The delete checks the status again: a row replayed since it was picked is kept.
   */
  int deleteDelivered(Duration retention, int batch) {
    Field<OffsetDateTime> cutoff = DatabaseClock.plus(clock.now(), retention.negated());
    return ConcurrentMove.retry(
        () ->
            ((Number)
                    dsl.fetchValue(
                        """
                WITH doomed AS (
                  SELECT id FROM hook_outbox
                  WHERE status = 'delivered' AND delivered_at < {0}
                  ORDER BY delivered_at LIMIT {1}),
                gone AS (
                  DELETE FROM hook_outbox o USING doomed d
                  WHERE o.id = d.id AND o.status = 'delivered' AND o.delivered_at < {0}
                  RETURNING o.id),
                attempts AS (
                  DELETE FROM hook_delivery_attempt a USING gone g WHERE a.outbox_id = g.id)
                SELECT count(*) FROM gone
                """,
                        cutoff, DSL.val(batch)))
                .intValue());
  }

  /**
   * Dead tuples of the active partition, as PostgreSQL's statistics count them (updated within a
   * second or so of each commit).
   */
  long deadActiveTuples() {
    Object dead =
        dsl.fetchValue(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'hook_outbox_active'::regclass");
    return dead == null ? 0 : ((Number) dead).longValue();
  }

  /**
   * Vacuums the active partition, skipping it if another session vacuums it already. Every delivery
   * leaves a dead entry at the front of the claim index, and a claim steps over all of them until a
   * vacuum removes them; the partition holds only unfinished rows, so this is quick. It leaves the
   * partition's empty pages in place (V4 sets {@code vacuum_truncate} off): giving them back would
   * take the partition's exclusive lock and stop the drain while the vacuum checks them.
   */
  void vacuumActive() {
    dsl.execute("VACUUM (SKIP_LOCKED) hook_outbox_active");
  }
}
