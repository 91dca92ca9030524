package ccx.hooks.bench;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database's own pace, against which intake is compared: single-row INSERT transactions over
 * JDBC, one connection per caller, into a table of the bench's own shaped like the outbox: its
 * columns, and the indexes of the partition that intake writes to.
 */
final class BaselineTable {
  static final String NAME = "bench_baseline";

  /**
   * A row as most rows intake stores under load are: queued behind its cluster's head. A queued row
   * is in none of the partial indexes of due and leased rows, so it is the cheaper row to insert.
   */
  private static final String INSERT =
      """
      INSERT INTO bench_baseline (hook, work_id, cluster_id, payload, webhook_id, status)
      VALUES (?, ?, ?, ?::jsonb, ?, 'queued')""";

  /** An index of the active partition, as pg_indexes defines it, without its name and table. */
  private static final Pattern INDEX =
      Pattern.compile("^CREATE (UNIQUE )?INDEX \\S+ ON \\S+ (USING .*)$");

  private BaselineTable() {}

  /** Returns committed INSERTs per second. */
  static double insertsPerSecond(DatabaseUrl url, ClosedLoad load, int callers) {
    create(url);
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

  /**
   * Creates the table: the outbox's columns, defaults and checks, and every index of its active
   * partition. LIKE copies no index from hook_outbox itself: a table partitioned by status has its
   * indexes on the partitions (until 2026-12-07 the baseline had none, and ran faster than the
   * outbox could).
   */
  static void create(DatabaseUrl url) {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bench_baseline (LIKE hook_outbox INCLUDING ALL)");
      List<String> indexes = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT indexdef FROM pg_indexes"
                  + " WHERE schemaname = current_schema() AND tablename = 'hook_outbox_active'")) {
        while (r.next()) {
          indexes.add(r.getString(1));
        }
      }
      if (indexes.isEmpty()) {
        throw new RelayException("the outbox has no active partition with indexes to copy");
      }
      for (String index : indexes) {
        s.execute(onBaseline(index));
      }
    } catch (SQLException e) {
      throw new RelayException("cannot create " + NAME + ": " + e.getMessage(), e);
    }
  }

  /** {@code definition}, an index of another table, as an unnamed index of the baseline table. */
  static String onBaseline(String definition) {
    Matcher m = INDEX.matcher(definition);
    if (!m.matches()) {
      throw new RelayException("cannot copy an index defined as: " + definition);
    }
    String unique = m.group(1) == null ? "" : m.group(1);
    return "CREATE %sINDEX ON %s %s".formatted(unique, NAME, m.group(2));
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
