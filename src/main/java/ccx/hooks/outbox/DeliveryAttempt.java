package ccx.hooks.outbox;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one delivery attempt, as recorded in {@code hook_delivery_attempt}.
 *
 * @param httpStatus the status answered, or null when there was no answer
 * @param error why the attempt failed, or null when it succeeded
 * @param responseBody the start of the answer (the repository keeps the first 2 KiB)
 */
public record DeliveryAttempt(
    Instant startedAt, Duration duration, Integer httpStatus, String error, String responseBody) {}
