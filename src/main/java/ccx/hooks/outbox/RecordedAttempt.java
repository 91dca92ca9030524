package ccx.hooks.outbox;

import java.time.OffsetDateTime;

/** One row of {@code hook_delivery_attempt}, as {@code outbox show} prints it. */
public record RecordedAttempt(
    int attempt,
    String lockedBy,
    OffsetDateTime startedAt,
    int durationMs,
    Integer httpStatus,
    String error,
    String responseBody) {}
