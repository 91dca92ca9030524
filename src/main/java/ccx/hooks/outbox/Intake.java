package ccx.hooks.outbox;

import static ccx.hooks.outbox.Statements.strings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Stores new hooks: a head where its cluster has no unfinished row, else queued behind it. */
final class Intake {
  /**
   * One statement for the whole batch, its text the same whatever the batch size, so PostgreSQL
   * plans it once per connection (written for JDBC, as the claim is: see {@link Statements}). Rows
   * are inserted (and get their ids) in list order. A row is its cluster's head when it is the
   * batch's first of that cluster and the cluster has no head (under the cluster locks, a cluster
   * with queued rows always has one; looking for the head reads one entry of a small partial index,
   * where looking for any unfinished row would read every row a stuck cluster holds back). A key
   * already delivered or failed is skipped here; one already unfinished is skipped by the unique
   * index of the active partition (ON CONFLICT). The lookup says {@code work_id <> ''} twice so
   * that it can use the partial indexes of the finished partitions: without it PostgreSQL hashes
   * the whole delivered partition for every batch, a cost that grows with every row delivered.
   */
  private static final String INSERT =
      """
      INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status, created_at, next_attempt_at, traceparent)
      SELECT h, w, c, p::jsonb, i,
             CASE WHEN NOT ? OR c = '' THEN 'pending'
                  WHEN row_number() OVER (PARTITION BY c ORDER BY n) = 1
                       AND NOT EXISTS (SELECT 1 FROM hook_outbox o
                                       WHERE o.cluster_id = c AND o.status IN ('pending', 'delivering'))
                  THEN 'pending' ELSE 'queued' END,
             now() + make_interval(secs => ?), now() + make_interval(secs => ?), tp
      FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::text[], ?::varchar[], ?::varchar[])
           WITH ORDINALITY AS t(h, w, c, p, i, tp, n)
      WHERE NOT EXISTS (SELECT 1 FROM hook_outbox d
                        WHERE w <> '' AND d.work_id <> '' AND d.hook = h AND d.work_id = w
                          AND d.status IN ('delivered', 'failed'))
      ORDER BY n
      ON CONFLICT DO NOTHING
      """;

  private final DSLContext dsl;
  private final DatabaseClock clock;
  private final boolean clusterOrdered;

  Intake(DSLContext dsl, DatabaseClock clock, boolean clusterOrdered) {
    this.dsl = dsl;
    this.clock = clock;
    this.clusterOrdered = clusterOrdered;
  }

  int enqueue(List<NewHook> hooks) {
    // The connection is taken once, outside the transaction: while the database is down, taking it
    // fails after the pool's connection timeout, and a rollback must not wait that long again for
    // a second one (a post-hook answers UNAVAILABLE within its caller's deadline).
    return dsl.connectionResult(
        connection ->
            DSL.using(connection, dsl.dialect(), dsl.settings())
                .transactionResult(
                    tx -> {
                      if (clusterOrdered) {
                        ClusterHeads.lockShared(
                            tx.dsl(), hooks.stream().map(NewHook::clusterId).toList());
                      }
                      return Statements.run(connection, INSERT, s -> bind(s, connection, hooks));
                    }));
  }

  private void bind(PreparedStatement s, Connection c, List<NewHook> hooks) throws SQLException {
    s.setBoolean(1, clusterOrdered);
    s.setDouble(2, clock.offsetSeconds());
    s.setDouble(3, clock.offsetSeconds());
    s.setArray(4, strings(c, hooks, h -> h.hook().path()));
    s.setArray(5, strings(c, hooks, NewHook::workId));
    s.setArray(6, strings(c, hooks, NewHook::clusterId));
    s.setArray(7, strings(c, hooks, NewHook::payload));
    s.setArray(8, strings(c, hooks, NewHook::webhookId));
    s.setArray(9, strings(c, hooks, NewHook::traceparent));
  }
}
