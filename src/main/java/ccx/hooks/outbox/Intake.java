package ccx.hooks.outbox;

import static ccx.hooks.outbox.Statements.strings;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;

/** Stores new hooks: a head where its cluster has no unfinished row, else queued behind it. */
final class Intake {
  /**
   * The whole batch in one transaction of two statements sent together ({@link
   * Statements#inOneTransaction}): one round trip where BEGIN, the locks, the INSERT and COMMIT
   * took three (docs/BENCHMARKS.md, sixth session). The INSERT takes its snapshot after the first
   * statement has taken the clusters' locks, and so sees what the previous holder of a lock
   * committed ({@link ClusterHeads}).
   *
   * <p>The first statement takes the shared locks of the batch's clusters, in key order as every
   * holder does (none when the outbox does not keep the per-cluster order, and never for the empty
   * cluster_id). The second inserts the batch; its text is the same whatever the batch size, so
   * PostgreSQL plans it once per connection (written for JDBC, as the claim is: see {@link
   * Statements}). Rows are inserted (and get their ids) in list order. A row is its cluster's head
   * when it is the batch's first of that cluster and the cluster has no head (under the cluster
   * locks, a cluster with queued rows always has one; looking for the head reads one entry of a
   * small partial index, where looking for any unfinished row would read every row a stuck cluster
   * holds back). A key already delivered or failed is skipped here; one already unfinished is
   * skipped by the unique index of the active partition (ON CONFLICT). The lookup says {@code
   * work_id <> ''} twice so that it can use the partial indexes of the finished partitions: without
   * it PostgreSQL hashes the whole delivered partition for every batch, a cost that grows with
   * every row delivered.
   */
  private static final String LOCK_AND_INSERT =
      "SELECT pg_advisory_xact_lock_shared(k) FROM ("
          + ClusterHeads.LOCK_KEYS
          + " WHERE ? AND c <> '' ORDER BY k) AS keys;\n"
          + """
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
    return dsl.connectionResult(connection -> enqueue(connection, hooks));
  }

  private int enqueue(Connection connection, List<NewHook> hooks) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(LOCK_AND_INSERT)) {
      bind(s, connection, hooks);
      return Statements.inOneTransaction(
          connection,
          () -> {
            // The locks' result, then the INSERT's count.
            s.execute();
            s.getMoreResults();
            return s.getUpdateCount();
          });
    }
  }

  private void bind(PreparedStatement s, Connection c, List<NewHook> hooks) throws SQLException {
    Array clusters = strings(c, hooks, NewHook::clusterId);
    s.setArray(1, clusters);
    s.setBoolean(2, clusterOrdered);
    s.setBoolean(3, clusterOrdered);
    s.setDouble(4, clock.offsetSeconds());
    s.setDouble(5, clock.offsetSeconds());
    s.setArray(6, strings(c, hooks, h -> h.hook().path()));
    s.setArray(7, strings(c, hooks, NewHook::workId));
    s.setArray(8, clusters);
    s.setArray(9, strings(c, hooks, NewHook::payload));
    s.setArray(10, strings(c, hooks, NewHook::webhookId));
    s.setArray(11, strings(c, hooks, NewHook::traceparent));
  }
}
