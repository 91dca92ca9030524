package ccx.hooks.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The clock every outbox timestamp is read from: the database's, so that relays on hosts whose
 * clocks disagree still agree on leases and due times. Tests move it forward with {@link #advance}
 * instead of sleeping.
 */
public final class DatabaseClock {
  private volatile Duration offset = Duration.ZERO;

  public static DatabaseClock system() {
    return new DatabaseClock();
  }

  /** Moves this clock (not the database's) forward: for tests of schedules. */
  public void advance(Duration by) {
    offset = offset.plus(by);
  }

  /** The database's {@code now()}, plus the offset a test has advanced. */
  Field<OffsetDateTime> now() {
    Field<OffsetDateTime> now = DSL.currentOffsetDateTime();
    return offset.isZero() ? now : plus(now, offset);
  }

  /** The offset a test has advanced, in seconds: for statements written for JDBC. */
  double offsetSeconds() {
    return offset.toNanos() / 1e9;
  }

  static Field<OffsetDateTime> plus(Field<OffsetDateTime> time, Duration duration) {
    double seconds = duration.toNanos() / 1e9;
    return DSL.field(
        "({0} + make_interval(secs => {1}))",
        SQLDataType.TIMESTAMPWITHTIMEZONE, time, DSL.val(seconds, SQLDataType.DOUBLE));
  }
}
