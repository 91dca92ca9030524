package ccx.hooks.bench;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The database's own pace, against which intake is compared: single-row INSERT transactions over
 * JDBC, one connection per caller, into a table of the bench's own shaped like the outbox.
 */
final class BaselineTable {
  private static final String INSERT =
      """
      INSERT INTO bench_baseline (hook, work_id, cluster_id, payload, webhook_id)
      VALUES (?, ?, ?, ?::jsonb, ?)""";

  private BaselineTable() {}

  /** Returns committed INSERTs per second. */
  static double insertsPerSecond(DatabaseUrl url, ClosedLoad load, int callers) {
    execute(url, "CREATE TABLE bench_baseline (LIKE hook_outbox INCLUDING ALL)");
    Map<Long, Connection> connections = new ConcurrentHashMap<>();
    String payload = HookJson.body(Requests.postAddNode("baseline", 0));
    try {
      return load.run(
              callers,
              i -> {
                Connection c =
                    connections.computeIfAbsent(
                        Thread.currentThread().threadId(), t -> connect(url));
                try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                  insert.setString(1, Hook.POST_ADD_NODE.path());
                  insert.setString(2, "baseline-" + i);
                  insert.setString(3, "c" + (i % Requests.CLUSTERS));
                  insert.setString(4, payload);
                  insert.setString(5, "msg_baseline_" + i);
                  insert.executeUpdate();
                }
              })
          .callsPerSecond();
    } finally {
      connections.values().forEach(BaselineTable::closeQuietly);
      execute(url, "DROP TABLE bench_baseline");
    }
  }

  private static Connection connect(DatabaseUrl url) {
    try {
      return url.connect(Map.of());
    } catch (SQLException e) {
      throw new RelayException("cannot connect to " + url.display() + ": " + e.getMessage(), e);
    }
  }

  private static void execute(DatabaseUrl url, String sql) {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new RelayException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // The bench is over for this connection either way.
    }
  }
}
