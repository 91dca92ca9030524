package ccx.hooks.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;

/** Writes {@code hook_delivery_attempt}: one row per attempt, committed with its outcome. */
final class Attempts {
  /** How much of an integrator's answer {@code hook_delivery_attempt} keeps. */
  static final int RESPONSE_BODY_LIMIT = 2048;

  private Attempts() {}

  static void insert(DSLContext tx, List<OutboxRepository.Delivered> outcomes) {
    tx.connection(c -> insert(c, outcomes));
  }

  static void insert(Connection tx, List<OutboxRepository.Delivered> outcomes) throws SQLException {
    int n = outcomes.size();
    Long[] ids = new Long[n];
    Integer[] attempts = new Integer[n];
    String[] lockedBy = new String[n];
    String[] startedAt = new String[n];
    Integer[] durations = new Integer[n];
    Integer[] statuses = new Integer[n];
    String[] errors = new String[n];
    String[] bodies = new String[n];
    for (int i = 0; i < n; i++) {
      OutboxRow row = outcomes.get(i).claimed();
      DeliveryAttempt attempt = outcomes.get(i).attempt();
      ids[i] = row.id();
      attempts[i] = row.attempts();
      lockedBy[i] = row.lockedBy();
      startedAt[i] = attempt.startedAt().toString();
      durations[i] = (int) Math.min(Integer.MAX_VALUE, attempt.duration().toMillis());
      statuses[i] = attempt.httpStatus();
      errors[i] = storable(attempt.error());
      bodies[i] = truncate(attempt.responseBody());
    }
    Statements.run(
        tx,
        """
        INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at, duration_ms, http_status, error, response_body)
        SELECT * FROM unnest(?::bigint[], ?::int[], ?::varchar[], ?::timestamptz[], ?::int[], ?::int[], ?::text[], ?::text[])
        """,
        s -> {
          s.setArray(1, tx.createArrayOf("int8", ids));
          s.setArray(2, tx.createArrayOf("int4", attempts));
          s.setArray(3, tx.createArrayOf("varchar", lockedBy));
          s.setArray(4, tx.createArrayOf("varchar", startedAt));
          s.setArray(5, tx.createArrayOf("int4", durations));
          s.setArray(6, tx.createArrayOf("int4", statuses));
          s.setArray(7, tx.createArrayOf("text", errors));
          s.setArray(8, tx.createArrayOf("text", bodies));
        });
  }

  private static String truncate(String body) {
    String stored = storable(body);
    return stored != null && stored.length() > RESPONSE_BODY_LIMIT
        ? stored.substring(0, RESPONSE_BODY_LIMIT)
        : stored;
  }

  /**
   * PostgreSQL text cannot hold U+0000, and an integrator's answer may contain it: one such answer
   * must not fail the batch of outcomes it is committed with.
   */
  static String storable(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
  }
}
