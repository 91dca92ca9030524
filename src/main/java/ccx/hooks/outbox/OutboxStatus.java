package ccx.hooks.outbox;

import java.util.Locale;

/** The {@code status} column of {@code hook_outbox}; values are the column's, in lower case. */
public enum OutboxStatus {
  /** Waiting for its {@code next_attempt_at}. */
  PENDING,
  /** Leased to {@code locked_by} until {@code locked_until}; due again when the lease expires. */
  DELIVERING,
  /** The integrator answered 2xx; deleted after the retention period. */
  DELIVERED,
  /** Gave up after the maximum attempts or age; kept until replayed. */
  FAILED;

  public String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OutboxStatus fromColumn(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
