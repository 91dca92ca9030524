package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The claim query: the one statement every delivery starts with, run many times a second. It is
 * written for JDBC, not jOOQ, because jOOQ's cost per claim was most of the claim's cost in the
 * relay's profile (rendering the template, reading the result's metadata, and mapping each record
 * by name: 240 of 257 samples of the claim in a 100,000-row drain); with constant text, the driver
 * also prepares the statement once on the server and PostgreSQL stops planning it each time.
 */
final class Claim {
  /**
   * The end of both claims: the rows locked in {@code claimed} become this relay's, for a lease;
   * its parameters are the relay's id and the lease in seconds.
   */
  private static final String UPDATE_CLAIMED =
      """
      UPDATE hook_outbox o
      SET status = 'delivering', locked_by = ?,
          locked_until = (SELECT t FROM now) + make_interval(secs => ?),
          attempts = o.attempts + 1, last_attempt_at = (SELECT t FROM now)
      FROM claimed
      WHERE o.id = claimed.id AND o.status = 'pending'
      RETURNING o.id, o.hook, o.work_id, o.cluster_id, o.payload, o.webhook_id, o.status,
                o.attempts, o.locked_by, o.locked_until, o.next_attempt_at, o.last_attempt_at,
                o.last_http_status, o.last_error, o.created_at, o.replayed_at, o.delivered_at,
                o.traceparent
      """;

  /**
   * Up to {@code limit} due pending rows, earliest due first. The locking select runs once, as a
   * materialized CTE: joined as a subquery, the planner may run it again for each row it updates,
   * and each run would lock further rows. Statuses are literals, not bind values, so that the plan
   * can use the partial claim index ({@code (next_attempt_at, id) WHERE status = 'pending'}), which
   * holds one entry per cluster with a head and none for the rows queued behind it, and prunes to
   * the active partition. A claim that leaves hooks out is {@link #SQL_BY_HOOK}.
   */
  private static final String SQL =
      """
      WITH now AS (SELECT now() + make_interval(secs => ?) AS t),
      claimed AS MATERIALIZED (
        SELECT id FROM hook_outbox
        WHERE status = 'pending' AND next_attempt_at <= (SELECT t FROM now)
        ORDER BY next_attempt_at, id
        LIMIT ?
        FOR UPDATE SKIP LOCKED)
      """
          + UPDATE_CLAIMED;

  /**
   * As {@link #SQL}, but for a claim that leaves some hooks out: the earliest due heads of each
   * hook claimed, read from the index by hook ({@code V5__claim_by_hook}), then the earliest of
   * those. Stepping over the left-out hooks' heads instead costs as many index entries as that hook
   * has due heads: 14.3 ms a claim with 100,000 of them, against 0.66 ms this way. The candidates
   * are read without locks and locked after, skipping those another relay took meanwhile, so two
   * relays claiming at once may each get fewer rows than they asked for; they claim again.
   */
  private static final String SQL_BY_HOOK =
      """
      WITH now AS (SELECT now() + make_interval(secs => ?) AS t),
      candidates AS MATERIALIZED (
        SELECT c.id FROM unnest(?::varchar[]) AS h(hook)
        CROSS JOIN LATERAL (
          SELECT id, next_attempt_at FROM hook_outbox
          WHERE status = 'pending' AND hook = h.hook AND next_attempt_at <= (SELECT t FROM now)
          ORDER BY next_attempt_at, id
          LIMIT ?) AS c
        ORDER BY c.next_attempt_at, c.id
        LIMIT ?),
      claimed AS MATERIALIZED (
        SELECT id FROM hook_outbox
        WHERE id IN (SELECT id FROM candidates) AND status = 'pending'
        FOR UPDATE SKIP LOCKED)
      """
          + UPDATE_CLAIMED;

  private Claim() {}

  /**
   * Runs the claim on {@code connection} (in autocommit: the claim commits before any delivery).
   * Rows come back as read, for display: a row whose hook this relay does not know has a null
   * {@link OutboxRow#hook()}, and is the caller's to fail (a claim that leaves hooks out asks for
   * the known ones by name, and finds no such row until nothing is left out).
   */
  static List<OutboxRow> run(
      Connection connection,
      DatabaseClock clock,
      String relayId,
      int limit,
      Duration lease,
      Set<Hook> skipped)
      throws SQLException {
    if (!skipped.isEmpty()) {
      return runByHook(connection, clock, relayId, limit, lease, skipped);
    }
    try (PreparedStatement claim = connection.prepareStatement(SQL)) {
      claim.setDouble(1, clock.offsetSeconds());
      claim.setInt(2, limit);
      claim.setString(3, relayId);
      claim.setDouble(4, lease.toNanos() / 1e9);
      return rows(claim, limit);
    }
  }

  private static List<OutboxRow> runByHook(
      Connection connection,
      DatabaseClock clock,
      String relayId,
      int limit,
      Duration lease,
      Set<Hook> skipped)
      throws SQLException {
    String[] claimable =
        Arrays.stream(Hook.values())
            .filter(h -> !skipped.contains(h))
            .map(Hook::path)
            .toArray(String[]::new);
    Array hooks = connection.createArrayOf("varchar", claimable);
    try (PreparedStatement claim = connection.prepareStatement(SQL_BY_HOOK)) {
      claim.setDouble(1, clock.offsetSeconds());
      claim.setArray(2, hooks);
      claim.setInt(3, limit);
      claim.setInt(4, limit);
      claim.setString(5, relayId);
      claim.setDouble(6, lease.toNanos() / 1e9);
      return rows(claim, limit);
    } finally {
      hooks.free();
    }
  }

  private static List<OutboxRow> rows(PreparedStatement claim, int limit) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>(limit);
    try (ResultSet r = claim.executeQuery()) {
      while (r.next()) {
        rows.add(read(r));
      }
    }
    return rows;
  }

  private static OutboxRow read(ResultSet r) throws SQLException {
    String hookPath = r.getString(2);
    return new OutboxRow(
        r.getLong(1),
        Hook.fromPath(hookPath).orElse(null),
        hookPath,
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getString(6),
        OutboxStatus.fromColumn(r.getString(7)),
        r.getInt(8),
        r.getString(9),
        r.getObject(10, OffsetDateTime.class),
        r.getObject(11, OffsetDateTime.class),
        r.getObject(12, OffsetDateTime.class),
        (Integer) r.getObject(13),
        r.getString(14),
        r.getObject(15, OffsetDateTime.class),
        r.getObject(16, OffsetDateTime.class),
        r.getObject(17, OffsetDateTime.class),
        r.getString(18));
  }
}
