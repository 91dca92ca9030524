package ccx.hooks.delivery;

import ccx.hooks.breaker.CallKind;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.core.HookTimers;
import ccx.hooks.core.RelayException;
import ccx.hooks.outbox.DeliveryAttempt;
import ccx.hooks.outbox.GroupCommit;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.outbox.RetryOutcome;
import ccx.hooks.wire.HookCallException;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookResponse;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.LogFields;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one claimed row and records what came of it. Sending never throws: it ends in one of a
 * few outcomes, and recording an outcome is the one place where a database error can happen, so it
 * is logged there with what could not be recorded (the row stays leased and is delivered again once
 * the lease expires).
 */
final class RowDelivery implements DeliverySlots.Delivery {
  private static final Logger log = LoggerFactory.getLogger(RowDelivery.class);

  /** An age no row reaches: what an attempt that must not fail a row for good is given. */
  private static final Duration NO_MAX_AGE = Duration.ofDays(36_500);

  /** What one attempt came to, before it is recorded. */
  private sealed interface Outcome {
    /** The integrator answered (any status). */
    record Answered(HookResponse response, Duration took) implements Outcome {}

    /** The call failed without an answer; the reason says why. */
    record NoAnswer(HookCallException failure, Duration took) implements Outcome {}

    /** The relay failed, before or after the call: a fault of its own, not the endpoint's. */
    record RelayError(RuntimeException failure) implements Outcome {
      String describe() {
        return "relay error: " + RelayException.rootMessage(failure);
      }
    }
  }

  private final OutboxRepository outbox;
  private final HookHttpClient http;
  private final DeliverySettings settings;
  private final RetryPolicy retryPolicy;
  private final HookTimers timers;
  // Successful deliveries are recorded together: one transaction for all that finished meanwhile.
  private final GroupCommit<OutboxRepository.Delivered, Boolean> completions;

  RowDelivery(
      OutboxRepository outbox,
      HookHttpClient http,
      DeliverySettings settings,
      RetryPolicy retryPolicy,
      HookTimers timers,
      GroupCommit<OutboxRepository.Delivered, Boolean> completions) {
    this.outbox = outbox;
    this.http = http;
    this.settings = settings;
    this.retryPolicy = retryPolicy;
    this.timers = timers;
    this.completions = completions;
  }

  /**
   * Sends {@code row} and records the outcome.
   *
   * @param answered run once the integrator answered (or the call failed), before the outcome is
   *     committed: the caller's slot is free again from then on
   */
  @Override
  @SuppressWarnings("try") // the log fields and the span's scope are only closed, never read
  public void deliver(OutboxRow row, Runnable answered) {
    Span span = DeliverySpans.start(http.tracing(), row);
    try (LogFields fields = LogFields.of(row.hook(), row.clusterId(), row.workId(), row.id());
        Scope scope = span.makeCurrent()) {
      Instant startedAt = Instant.now();
      Outcome outcome;
      try {
        outcome = send(row);
      } catch (RuntimeException e) {
        // A fault of the relay's own, not the endpoint's: logged in full, and the row retries on
        // its backoff, its attempts bounding how often, rather than wait unseen for its lease.
        log.error("{}: unexpected error while delivering it; it retries", row.describe(), e);
        outcome = new Outcome.RelayError(e);
      } finally {
        answered.run();
      }
      trace(span, outcome);
      try {
        record(row, startedAt, outcome);
      } catch (RuntimeException e) {
        log.warn(
            "Could not record the outcome of {} ({}: {}); it is delivered again once its lease"
                + " expires",
            row.describe(),
            describe(outcome),
            RelayException.rootMessage(e));
      }
    } finally {
      span.end();
    }
  }

  /**
   * Gives a claimed row back unsent (it waited too long in the buffer, or the relay is stopping):
   * due again at once for any relay, its attempt not counted. A failure is logged, not thrown: the
   * row is then due again when its lease expires.
   */
  @Override
  public void giveBack(OutboxRow row) {
    try {
      outbox.release(row);
    } catch (RuntimeException e) {
      log.warn(
          "Could not give back {} ({}); it is due again when its lease expires",
          row.describe(),
          RelayException.rootMessage(e));
    }
  }

  private static void trace(Span span, Outcome outcome) {
    switch (outcome) {
      case Outcome.Answered(HookResponse response, Duration took) -> {
        span.setAttribute(HookTracing.HTTP_STATUS, response.status());
        if (!response.isSuccess()) {
          span.setStatus(StatusCode.ERROR, "HTTP " + response.status());
        }
      }
      case Outcome.NoAnswer(HookCallException e, Duration took) ->
          span.setStatus(StatusCode.ERROR, e.reason().name().toLowerCase(Locale.ROOT));
      case Outcome.RelayError(RuntimeException e) ->
          span.setStatus(StatusCode.ERROR, "relay_error");
    }
  }

  private Outcome send(OutboxRow row) {
    long start = System.nanoTime();
    try {
      HookResponse response =
          http.send(
              CallKind.DELIVERY,
              row.hook(),
              row.webhookId(),
              row.payload(),
              settings.deliveryTimeout());
      return new Outcome.Answered(response, Duration.ofNanos(System.nanoTime() - start));
    } catch (HookCallException e) {
      return new Outcome.NoAnswer(e, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private void record(OutboxRow row, Instant startedAt, Outcome outcome) {
    switch (outcome) {
      case Outcome.Answered(HookResponse response, Duration took) when response.isSuccess() -> {
        timers.record(row.hook(), "delivered", took);
        DeliveryAttempt attempt =
            new DeliveryAttempt(startedAt, took, response.status(), null, response.body());
        if (!completions.submit(new OutboxRepository.Delivered(row, attempt))) {
          log.info(
              "{} delivered, but its lease had passed to another relay or a replay",
              row.describe());
        }
      }
      case Outcome.Answered(HookResponse response, Duration took) -> {
        timers.record(row.hook(), "http_" + response.status() / 100 + "xx", took);
        retry(
            row,
            new DeliveryAttempt(
                startedAt, took, response.status(), "HTTP " + response.status(), response.body()),
            response.retryAfter());
      }
      case Outcome.NoAnswer(HookCallException e, Duration took) ->
          recordNoAnswer(row, startedAt, e, took);
      case Outcome.RelayError error -> {
        timers.record(row.hook(), "relay_error", Duration.ZERO);
        retry(
            row,
            new DeliveryAttempt(startedAt, Duration.ZERO, null, error.describe(), null),
            Optional.empty());
      }
    }
  }

  private void recordNoAnswer(
      OutboxRow row, Instant startedAt, HookCallException e, Duration took) {
    DeliveryAttempt attempt = new DeliveryAttempt(startedAt, took, null, e.getMessage(), null);
    HookCallException.Reason reason = e.reason();
    if (Thread.currentThread().isInterrupted()
        && reason != HookCallException.Reason.CIRCUIT_OPEN
        && reason != HookCallException.Reason.UNSENDABLE) {
      reason = HookCallException.Reason.INTERRUPTED; // cut short by the relay stopping
    }
    switch (reason) {
      case CIRCUIT_OPEN -> outbox.release(row); // not sent: no attempt to count
      case UNSENDABLE -> {
        // The row's own fault: it fails alone rather than coming back every lease period.
        String error = "the relay cannot deliver this row: " + e.getMessage();
        timers.record(row.hook(), "unsendable", took);
        outbox.retryOrFail(
            row,
            new DeliveryAttempt(startedAt, Duration.ZERO, null, error, null),
            Duration.ZERO,
            0,
            settings.maxAge());
        log.warn("{} failed: {}", row.describe(), error);
      }
      case INTERRUPTED -> {
        // The relay is stopping: the attempt is recorded for what it was, and the row is due again
        // at once for any relay. The interrupt is cleared so that the outcome can be written.
        Thread.interrupted();
        // Never failed for good by it, whatever attempt it was: the relay stopped, not the
        // endpoint.
        timers.record(row.hook(), "interrupted", took);
        outbox.retryOrFail(row, attempt, Duration.ZERO, Integer.MAX_VALUE, NO_MAX_AGE);
        log.info(
            "{} attempt {} interrupted at shutdown; due again now", row.describe(), row.attempts());
      }
      default -> {
        timers.record(row.hook(), e.reason().name().toLowerCase(Locale.ROOT), took);
        retry(row, attempt, Optional.empty());
      }
    }
  }

  private void retry(OutboxRow row, DeliveryAttempt attempt, Optional<Duration> retryAfter) {
    Duration delay = retryPolicy.delayAfter(row.attempts(), retryAfter);
    Optional<RetryOutcome> outcome =
        outbox.retryOrFail(row, attempt, delay, settings.maxAttempts(), settings.maxAge());
    if (outcome.isEmpty()) {
      log.info(
          "{} attempt {} failed ({}), but its lease had passed on",
          row.describe(),
          row.attempts(),
          attempt.error());
    } else if (outcome.get().status() == OutboxStatus.FAILED) {
      log.warn(
          "{} failed for good after attempt {} ({}); replay it with: ccx-hook-service replay --id {}",
          row.describe(),
          row.attempts(),
          attempt.error(),
          row.id());
    } else {
      log.info(
          "{} attempt {} failed ({}); next attempt at {}",
          row.describe(),
          row.attempts(),
          attempt.error(),
          outcome.get().nextAttemptAt());
    }
  }

  private static String describe(Outcome outcome) {
    return switch (outcome) {
      case Outcome.Answered(HookResponse response, Duration took) -> "HTTP " + response.status();
      case Outcome.NoAnswer(HookCallException e, Duration took) -> e.getMessage();
      case Outcome.RelayError error -> error.describe();
    };
  }
}
