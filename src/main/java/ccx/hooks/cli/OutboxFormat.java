package ccx.hooks.cli;

import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.RecordedAttempt;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.PrintWriter;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code outbox list} and {@code outbox show} print rows: a table, or JSON with the column
 * names.
 */
final class OutboxFormat {
  private static final List<String> COLUMNS =
      List.of(
          "ID",
          "HOOK",
          "CLUSTER",
          "WORK_ID",
          "STATUS",
          "ATTEMPTS",
          "NEXT_ATTEMPT_AT",
          "LAST_ERROR");

  private OutboxFormat() {}

  static void table(PrintWriter out, List<OutboxRow> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(COLUMNS);
    for (OutboxRow r : rows) {
      cells.add(
          List.of(
              Long.toString(r.id()),
              r.hookPath(),
              r.clusterId(),
              r.workId(),
              r.status().column(),
              Integer.toString(r.attempts()),
              time(r.nextAttemptAt()),
              r.lastError() == null ? "" : r.lastError()));
    }
    int[] widths = new int[COLUMNS.size()];
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], Math.min(row.get(i).length(), 60));
      }
    }
    for (List<String> row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i).length() > 60 ? row.get(i).substring(0, 59) + "…" : row.get(i);
        line.append(i == row.size() - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
      }
      out.println(line.toString().stripTrailing());
    }
    out.println("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + ")");
  }

  static JsonObject json(OutboxRow r) {
    JsonObject o = new JsonObject();
    o.addProperty("id", r.id());
    o.addProperty("hook", r.hookPath());
    o.addProperty("work_id", r.workId());
    o.addProperty("cluster_id", r.clusterId());
    o.addProperty("webhook_id", r.webhookId());
    o.addProperty("status", r.status().column());
    o.addProperty("attempts", r.attempts());
    o.add("locked_by", string(r.lockedBy()));
    o.add("locked_until", string(time(r.lockedUntil())));
    o.add("next_attempt_at", string(time(r.nextAttemptAt())));
    o.add("last_attempt_at", string(time(r.lastAttemptAt())));
    o.add(
        "last_http_status",
        r.lastHttpStatus() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.lastHttpStatus()));
    o.add("last_error", string(r.lastError()));
    o.add("created_at", string(time(r.createdAt())));
    o.add("replayed_at", string(time(r.replayedAt())));
    o.add("delivered_at", string(time(r.deliveredAt())));
    o.add("payload", JsonParser.parseString(r.payload()));
    return o;
  }

  static JsonObject json(RecordedAttempt a) {
    JsonObject o = new JsonObject();
    o.addProperty("attempt", a.attempt());
    o.addProperty("locked_by", a.lockedBy());
    o.add("started_at", string(time(a.startedAt())));
    o.addProperty("duration_ms", a.durationMs());
    o.add(
        "http_status",
        a.httpStatus() == null ? JsonNull.INSTANCE : new JsonPrimitive(a.httpStatus()));
    o.add("error", string(a.error()));
    o.add("response_body", string(a.responseBody()));
    return o;
  }

  static void printJson(PrintWriter out, JsonElement json) {
    out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json));
  }

  static JsonArray array(List<JsonObject> items) {
    JsonArray array = new JsonArray();
    items.forEach(array::add);
    return array;
  }

  /** Timestamps print in UTC, whatever the session's time zone. */
  static String time(OffsetDateTime t) {
    return t == null ? "" : t.withOffsetSameInstant(ZoneOffset.UTC).toString();
  }

  private static JsonElement string(String s) {
    return s == null || s.isEmpty() ? JsonNull.INSTANCE : new JsonPrimitive(s);
  }
}
