package ccx.hooks.outbox;

import java.util.Locale;

/** The {@code status} column of {@code hook_outbox}; values are the column's, in lower case. */
public enum OutboxStatus {
  /**
   * Behind an earlier unfinished row of its cluster; becomes pending when that row is delivered or
   * fails. Never claimed, so the rows a slow cluster holds back cost the claim nothing.
   */
  QUEUED,
  /** The head of its cluster (or unordered), waiting for its {@code next_attempt_at}. */
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
