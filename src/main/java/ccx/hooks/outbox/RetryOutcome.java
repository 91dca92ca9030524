package ccx.hooks.outbox;

import java.time.OffsetDateTime;

/** What became of a row after a failed attempt: pending until {@code nextAttemptAt}, or failed. */
public record RetryOutcome(OutboxStatus status, OffsetDateTime nextAttemptAt) {}
