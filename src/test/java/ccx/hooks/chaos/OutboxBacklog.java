package ccx.hooks.chaos;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads a relay's outbox from outside, with plain SQL, through whatever connection a run can get
 * while its database is failing: a count that cannot be read counts as "not yet".
 */
public final class OutboxBacklog {
  /** Opens a new connection to the run's current primary. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  private OutboxBacklog() {}

  /** Polls until no row is left undelivered or {@code limit} after {@code fromNanos}; the rest. */
  public static long waitUntilDrained(Connector database, long fromNanos, Duration limit)
      throws InterruptedException {
    long deadline = fromNanos + limit.toNanos();
    long unfinished;
    do {
      TimeUnit.MILLISECONDS.sleep(500);
      unfinished = count(database, "SELECT count(*) FROM hook_outbox WHERE status <> 'delivered'");
    } while (unfinished > 0 && System.nanoTime() < deadline);
    return unfinished;
  }

  /** The single number {@code sql} answers, or {@link Long#MAX_VALUE} while it cannot be read. */
  public static long count(Connector database, String sql) {
    try (Connection c = database.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      return Long.MAX_VALUE;
    }
  }
}
