package ccx.hooks.outbox;

import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Writes {@code hook_delivery_attempt}: one row per attempt, committed with its outcome. */
final class Attempts {
  /** How much of an integrator's answer {@code hook_delivery_attempt} keeps. */
  static final int RESPONSE_BODY_LIMIT = 2048;

  private Attempts() {}

  static void insert(DSLContext tx, List<OutboxRepository.Delivered> outcomes) {
    int n = outcomes.size();
    Long[] ids = new Long[n];
    Integer[] attempts = new Integer[n];
    String[] lockedBy = new String[n];
    java.time.OffsetDateTime[] startedAt = new java.time.OffsetDateTime[n];
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
      startedAt[i] = attempt.startedAt().atOffset(ZoneOffset.UTC);
      durations[i] = (int) Math.min(Integer.MAX_VALUE, attempt.duration().toMillis());
      statuses[i] = attempt.httpStatus();
      errors[i] = storable(attempt.error());
      bodies[i] = truncate(attempt.responseBody());
    }
    tx.execute(
        """
        INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at, duration_ms, http_status, error, response_body)
        SELECT * FROM unnest({0}::bigint[], {1}::int[], {2}::varchar[], {3}::timestamptz[], {4}::int[], {5}::int[], {6}::text[], {7}::text[])
        """,
        DSL.val(ids),
        DSL.val(attempts),
        DSL.val(lockedBy),
        DSL.val(startedAt),
        DSL.val(durations),
        DSL.val(statuses),
        DSL.val(errors),
        DSL.val(bodies));
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
