package ccx.hooks.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import org.jooq.DSLContext;

/**
 * The per-cluster order (DESIGN section 5), kept by parking: of a cluster's unfinished rows only
 * the head is pending or delivering, and the rows behind it are {@code queued}. Two things must not
 * interleave for one cluster: deciding whether a new row is a head or queued (intake, replay), and
 * finishing a head and promoting the next row (completion). Each takes the cluster's
 * transaction-scoped advisory lock first, so a row is never queued behind a head that has just
 * finished without promoting it.
 *
 * <p>Intake takes the locks shared ({@link Intake}), which conflicts with finishing a head but not
 * with other intakes: two concurrent calls for one cluster may then both find no head and both
 * become heads, which orders them no worse than their calls were (concurrent, so unordered); the
 * rows after them queue behind both. Shared, so that intake batches that share clusters do not wait
 * for each other.
 */
final class ClusterHeads {
  /**
   * The lock keys of the clusters in an array parameter, one per cluster. Every holder locks by
   * these keys, in their order.
   */
  static final String LOCK_KEYS =
      "SELECT DISTINCT hashtextextended(c, 0) AS k FROM unnest(?::varchar[]) AS c";

  /** Locks the clusters in an array parameter, in key order. */
  static final String LOCK =
      "SELECT pg_advisory_xact_lock(k) FROM (" + LOCK_KEYS + " ORDER BY k) AS keys";

  /**
   * Makes the earliest queued row of each cluster in an array parameter its head, where the cluster
   * has none pending or delivering; parameters as {@link #bindPromote} sets them.
   */
  static final String PROMOTE =
      """
      UPDATE hook_outbox o SET status = 'pending', next_attempt_at = now() + make_interval(secs => ?)
      FROM unnest(?::varchar[]) AS c(cluster_id)
           CROSS JOIN LATERAL (SELECT q.id FROM hook_outbox q
                               WHERE q.cluster_id = c.cluster_id AND q.status = 'queued'
                               ORDER BY q.id LIMIT 1) AS next
      WHERE o.id = next.id AND o.status = 'queued'
        AND NOT EXISTS (SELECT 1 FROM hook_outbox h
                        WHERE h.cluster_id = c.cluster_id AND h.status IN ('pending', 'delivering'))
      """;

  private ClusterHeads() {}

  /**
   * Locks the clusters (the empty cluster_id is never ordered, so never locked) for the rest of the
   * transaction. Every caller locks in the same order, by key, so two transactions never wait for
   * each other in a cycle. Must be its own statement, before the statement that decides: under READ
   * COMMITTED that statement's snapshot then sees what the previous holder committed.
   */
  static void lock(DSLContext tx, Collection<String> clusterIds) {
    tx.connection(c -> lock(c, clusterIds));
  }

  /** {@link #lock(DSLContext, Collection)} on the transaction's own connection. */
  static void lock(Connection tx, Collection<String> clusterIds) throws SQLException {
    String[] clusters = lockable(clusterIds);
    if (clusters.length > 0) {
      Statements.run(tx, LOCK, s -> s.setArray(1, tx.createArrayOf("varchar", clusters)));
    }
  }

  /**
   * Makes the earliest queued row of each cluster its head, where the cluster has none pending or
   * delivering. Called with the clusters locked, after a head was delivered, failed or replayed.
   * Both lookups are index probes on the active partition: the cost does not depend on how many
   * rows the cluster holds back.
   */
  static void promote(DSLContext tx, Collection<String> clusterIds, DatabaseClock clock) {
    tx.connection(c -> promote(c, clusterIds, clock));
  }

  /** {@link #promote(DSLContext, Collection, DatabaseClock)} on the transaction's connection. */
  static void promote(Connection tx, Collection<String> clusterIds, DatabaseClock clock)
      throws SQLException {
    String[] clusters = lockable(clusterIds);
    if (clusters.length == 0) {
      return;
    }
    Statements.run(tx, PROMOTE, s -> bindPromote(s, 1, tx, clusters, clock));
  }

  /**
   * Sets the parameters of {@link #PROMOTE}, the first at {@code first}, to promote in {@code
   * clusters} (from {@link #lockable}); returns the index of the next parameter.
   */
  static int bindPromote(
      PreparedStatement s, int first, Connection tx, String[] clusters, DatabaseClock clock)
      throws SQLException {
    s.setDouble(first, clock.offsetSeconds());
    s.setArray(first + 1, tx.createArrayOf("varchar", clusters));
    return first + 2;
  }

  /** The clusters to lock or promote: the empty cluster_id is never ordered. */
  static String[] lockable(Collection<String> clusterIds) {
    return clusterIds.stream().filter(c -> !c.isEmpty()).distinct().toArray(String[]::new);
  }
}
