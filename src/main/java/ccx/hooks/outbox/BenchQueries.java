package ccx.hooks.outbox;

import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;

import ccx.hooks.core.Hook;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The queries the {@code bench} command runs against the outbox, kept here with the rest of the
 * outbox's SQL so that a change of schema changes them too. Not used by the relay itself.
 */
final class BenchQueries {
  private final DSLContext dsl;

  BenchQueries(DSLContext dsl) {
    this.dsl = dsl;
  }

  /**
   * One statement, so that a million rows load in seconds. The first row of each cluster is its
   * head; the rest queue behind it, as intake would have stored them. ANALYZE runs in the same
   * transaction: it counts the transaction's own new rows, so the planner knows the table from the
   * moment a relay can see them, as autovacuum would have after an outage that built up slowly.
   */
  int insertBacklog(int rows, int clusters, Hook hook, String payload) {
    return dsl.transactionResult(
        configuration -> {
          DSLContext t = DSL.using(configuration);
          int inserted =
              t.execute(
                  """
                  INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status)
                  SELECT {0}, {4} || g, 'c' || (g % {1}), {2}::jsonb, 'msg_' || {4} || g,
                         CASE WHEN g <= {1} THEN 'pending' ELSE 'queued' END
                  FROM generate_series(1, {3}) AS g
                  """,
                  DSL.val(hook.path()),
                  DSL.val(clusters),
                  DSL.val(payload),
                  DSL.val(rows),
                  // Ids of their own for each load, so that a second load (after a warm-up)
                  // repeats no key.
                  DSL.val("backlog-" + Long.toString(System.nanoTime(), 36) + "-"));
          t.execute("ANALYZE hook_outbox");
          return inserted;
        });
  }

  /**
   * Delivered rows, each with its one attempt, delivered 30 days ago: past any retention the bench
   * runs its relays with, so their retention sweep deletes them.
   */
  void insertExpired(int rows, Hook hook, String payload) {
    dsl.transaction(
        configuration -> {
          DSLContext t = DSL.using(configuration);
          t.execute(
              """
              INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status,
                                       attempts, created_at, next_attempt_at, last_attempt_at,
                                       delivered_at, last_http_status)
              SELECT {0}, 'expired-' || g, 'c' || (g % 10000), {1}::jsonb, 'msg_expired_' || g,
                     'delivered', 1, now() - interval '30 days', now() - interval '30 days',
                     now() - interval '30 days', now() - interval '30 days', 200
              FROM generate_series(1, {2}) AS g
              """,
              DSL.val(hook.path()), DSL.val(payload), DSL.val(rows));
          t.execute(
              """
              INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at,
                                                 duration_ms, http_status)
              SELECT id, 1, 'bench', delivered_at, 1, 200 FROM hook_outbox_delivered
              """);
          t.execute("ANALYZE hook_outbox");
          t.execute("ANALYZE hook_delivery_attempt");
        });
  }

  void insertStuckCluster(int rows, Hook hook, String payload) {
    dsl.execute(
        """
        INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status, attempts,
                                 next_attempt_at, last_error)
        SELECT {0}, 'stuck-' || g, 'stuck', {1}::jsonb, 'msg_stuck_' || g,
               CASE WHEN g = 1 THEN 'pending' ELSE 'queued' END,
               CASE WHEN g = 1 THEN 1 ELSE 0 END,
               CASE WHEN g = 1 THEN now() + interval '1 hour' ELSE now() END,
               CASE WHEN g = 1 THEN 'bench: a head waiting out a long backoff' END
        FROM generate_series(1, {2}) AS g
        """,
        DSL.val(hook.path()), DSL.val(payload), DSL.val(rows));
  }

  long countUnfinished() {
    return dsl.fetchCount(
        HOOK_OUTBOX,
        HOOK_OUTBOX.STATUS.in(
            DSL.inline(OutboxStatus.QUEUED.column()),
            DSL.inline(OutboxStatus.PENDING.column()),
            DSL.inline(OutboxStatus.DELIVERING.column())));
  }

  long countStored() {
    return dsl.fetchCount(HOOK_OUTBOX);
  }
}
