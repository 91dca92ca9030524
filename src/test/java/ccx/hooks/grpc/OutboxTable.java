package ccx.hooks.grpc;

import ccx.hooks.db.Database;
import ccx.hooks.testing.OutboxDatabase;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;

/**
 * Reads {@code hook_outbox} with plain SQL, as an operator would (DESIGN section 5: the schema is
 * public), rather than through the repository under test.
 */
final class OutboxTable {
  /** One row of {@code hook_outbox}, the columns these tests look at. */
  record Row(
      String hook,
      String workId,
      String clusterId,
      JsonObject payload,
      String webhookId,
      String status) {}

  private OutboxTable() {}

  static List<Row> rows(Database database) {
    return database
        .dsl()
        .fetch(
            "SELECT hook, work_id, cluster_id, payload::text AS payload, webhook_id, status"
                + " FROM hook_outbox ORDER BY id")
        .map(
            r ->
                new Row(
                    r.get("hook", String.class),
                    r.get("work_id", String.class),
                    r.get("cluster_id", String.class),
                    JsonParser.parseString(r.get("payload", String.class)).getAsJsonObject(),
                    r.get("webhook_id", String.class),
                    r.get("status", String.class)));
  }

  static List<Row> rows(OutboxDatabase database) {
    return rows(database.database());
  }
}
