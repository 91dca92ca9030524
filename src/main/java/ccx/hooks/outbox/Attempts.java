package ccx.hooks.outbox;

import static ccx.hooks.outbox.Statements.ints;
import static ccx.hooks.outbox.Statements.longs;
import static ccx.hooks.outbox.Statements.strings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.jooq.DSLContext;

/** Writes {@code hook_delivery_attempt}: one row per attempt, committed with its outcome. */
final class Attempts {
  /** How much of an integrator's answer {@code hook_delivery_attempt} keeps. */
  static final int RESPONSE_BODY_LIMIT = 2048;

  /** Inserts a batch's attempts, parameters as {@link #bind} sets them. */
  static final String INSERT =
      """
      INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at, duration_ms, http_status, error, response_body)
      SELECT * FROM unnest(?::bigint[], ?::int[], ?::varchar[], ?::timestamptz[], ?::int[], ?::int[], ?::text[], ?::text[])
      """;

  private Attempts() {}

  static void insert(DSLContext tx, List<OutboxRepository.Delivered> outcomes) {
    tx.connection(c -> insert(c, outcomes));
  }

  static void insert(Connection tx, List<OutboxRepository.Delivered> outcomes) throws SQLException {
    Statements.run(tx, INSERT, s -> bind(s, 1, tx, outcomes));
  }

  /**
   * Sets the parameters of {@link #INSERT}, the first at {@code first}; returns the index of the
   * next parameter.
   */
  static int bind(
      PreparedStatement s, int first, Connection tx, List<OutboxRepository.Delivered> outcomes)
      throws SQLException {
    s.setArray(first, longs(tx, outcomes, o -> o.claimed().id()));
    s.setArray(first + 1, ints(tx, outcomes, o -> o.claimed().attempts()));
    s.setArray(first + 2, strings(tx, outcomes, o -> o.claimed().lockedBy()));
    s.setArray(first + 3, strings(tx, outcomes, o -> o.attempt().startedAt().toString()));
    s.setArray(first + 4, ints(tx, outcomes, o -> millis(o.attempt().duration())));
    s.setArray(first + 5, ints(tx, outcomes, o -> o.attempt().httpStatus()));
    s.setArray(first + 6, strings(tx, outcomes, o -> storable(o.attempt().error())));
    s.setArray(first + 7, strings(tx, outcomes, o -> truncate(o.attempt().responseBody())));
    return first + 8;
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
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
