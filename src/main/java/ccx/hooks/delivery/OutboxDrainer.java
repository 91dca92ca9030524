package ccx.hooks.delivery;

import ccx.hooks.RelayException;
import ccx.hooks.admin.HookTimers;
import ccx.hooks.breaker.CallKind;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.Durations;
import ccx.hooks.db.DatabaseUrl;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import java.util.stream.DoubleStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: claims due rows (a short transaction that commits before any HTTP call),
 * sends each on a virtual thread, and records the outcome against the lease. Wakes on LISTEN /
 * NOTIFY, on a finished delivery, when the earliest retry is due, and at least every poll interval.
 *
 * <p>Each hook endpoint has its own delivery breaker. While one is open, or half-open with all its
 * probes out, the drainer claims no rows of that hook (the others flow); half-open, a few rows are
 * the probes. A row a breaker refuses is given back without counting an attempt, so an outage does
 * not burn every row's attempts.
 */
public final class OutboxDrainer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxDrainer.class);
  private static final int COMPLETION_WRITERS = 2;
  private static final Duration CLAIM_PAUSE = Duration.ofMillis(5);
  private static final int COMPLETION_BATCH = 256;
  private static final Duration RESCUE_INTERVAL = Duration.ofSeconds(1);

  private final OutboxRepository outbox;
  private final HookHttpClient http;
  private final DeliverySettings settings;
  private final RetryPolicy retryPolicy;
  private final String relayId;
  private final HookTimers timers;
  private final Timer claimTimer;
  private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();
  // Successful deliveries are recorded together: one transaction for all that finished meanwhile.
  private final GroupCommit<OutboxRepository.Delivered, Boolean> completions;
  private final Semaphore slots;
  private final Semaphore wakeSignal = new Semaphore(0);
  private final AtomicInteger inFlight = new AtomicInteger();

  /** A row leased to this relay, and when (monotonic) it was claimed. */
  private record Claimed(OutboxRow row, long claimedNanos) {}

  // Rows claimed (leased to this relay) and waiting for a free slot.
  private final Queue<Claimed> ready = new ConcurrentLinkedQueue<>();
  private final Thread loop;
  private volatile boolean running;
  private volatile long lastRescueNanos = System.nanoTime() - RESCUE_INTERVAL.toNanos() - 1;
  private NotificationListener listener;

  public OutboxDrainer(
      OutboxRepository outbox,
      HookHttpClient http,
      DeliverySettings settings,
      String relayId,
      MeterRegistry metrics,
      RandomGenerator random) {
    this.outbox = outbox;
    this.http = http;
    this.settings = settings;
    this.retryPolicy =
        new RetryPolicy(settings.retryInitial(), settings.retryMax(), settings.maxAge(), random);
    this.relayId = relayId;
    this.timers =
        new HookTimers(
            metrics, "ccx_hook_delivery", "Delivery attempts of outbox rows, by hook and outcome");
    // A histogram, not a summary: percentiles of several relays add up only from buckets.
    this.claimTimer =
        Timer.builder("ccx_hook_claim")
            .description("The claim statement, as this relay waited for it")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(1))
            .serviceLevelObjectives(
                DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000)
                    .mapToObj(ms -> Duration.ofNanos(Math.round(ms * 1e6)))
                    .toArray(Duration[]::new))
            .register(metrics);
    this.slots = new Semaphore(settings.drainConcurrency());
    this.loop = Thread.ofPlatform().name("outbox-drainer").unstarted(this::run);
    this.completions =
        new GroupCommit<>(
            "record the delivery", COMPLETION_WRITERS, COMPLETION_BATCH, outbox::markDelivered);
    // A breaker turning half-open (or closing) makes rows of its hook claimable again.
    http.breakers().onDeliveryStateChange(this::wake);
  }

  /** Starts draining in the background, woken by notifications on {@code listenUrl}. */
  public void start(DatabaseUrl listenUrl) {
    running = true;
    listener = new NotificationListener(listenUrl, this::wake);
    listener.start();
    loop.start();
    log.info(
        "Outbox drainer {} started: up to {} deliveries in flight, ordering {}",
        relayId,
        settings.drainConcurrency(),
        settings.ordering().name().toLowerCase());
  }

  /** Makes the drainer look at the outbox now rather than at its next poll. */
  public void wake() {
    wakeSignal.release();
  }

  /**
   * Claims what is due (as many rows as the concurrency allows) and delivers it, returning once
   * every delivery is recorded. For tests and tools; a started drainer does this by itself.
   *
   * @return how many rows were claimed
   */
  public int drainOnce() {
    lastRescueNanos = System.nanoTime() - RESCUE_INTERVAL.toNanos() - 1;
    List<OutboxRow> rows = claim(settings.drainConcurrency());
    List<Future<?>> pending = new ArrayList<>(rows.size());
    for (OutboxRow row : rows) {
      pending.add(deliveries.submit(() -> deliver(row, () -> {})));
    }
    for (Future<?> future : pending) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("delivery failed unexpectedly", e.getCause());
      }
    }
    return rows.size();
  }

  private void run() {
    boolean databaseWarned = false;
    long lastPartialClaim = 0;
    while (running) {
      try {
        int wanted = claimable();
        int claimed = 0;
        if (wanted > 0) {
          // After a claim that found less than it wanted, the next waits a few milliseconds: every
          // notification and every completion wakes this loop, and a claim per wake-up would
          // spend the CPU on claim queries that each find a row or two.
          long sincePartial = System.nanoTime() - lastPartialClaim;
          if (sincePartial < CLAIM_PAUSE.toNanos()) {
            LockSupport.parkNanos(CLAIM_PAUSE.toNanos() - sincePartial);
          }
          List<OutboxRow> rows = claim(wanted);
          claimed = rows.size();
          long now = System.nanoTime();
          rows.forEach(row -> ready.add(new Claimed(row, now)));
          if (!running) {
            // close() may have given back the buffer while this claim ran: these rows too.
            releaseReady();
          }
          startReady();
        }
        if (databaseWarned) {
          log.info("Outbox database reachable again; draining resumes");
          databaseWarned = false;
        }
        if (claimed > 0 && claimed == wanted) {
          continue; // a full batch: there is probably more due right now
        }
        if (wanted > 0) {
          lastPartialClaim = System.nanoTime();
        }
        awaitWake(claimed < wanted ? untilNextDue() : settings.pollInterval());
      } catch (RuntimeException e) {
        if (!databaseWarned) {
          log.warn(
              "Outbox drainer cannot read the outbox ({}); retrying every {}",
              RelayException.rootMessage(e),
              Durations.format(settings.pollInterval()));
          databaseWarned = true;
        }
        awaitWake(settings.pollInterval());
      }
    }
  }

  /**
   * How many rows to claim now. Claimed rows wait in {@code ready} for a free slot, so a slot never
   * waits for a claim query; the buffer is topped up once it is half empty, so that claims come in
   * batches. Which hooks are claimed is up to their breakers (see {@link #claim}).
   */
  private int claimable() {
    int buffered = ready.size();
    int concurrency = settings.drainConcurrency();
    return buffered > concurrency / 2 ? 0 : concurrency - buffered;
  }

  private List<OutboxRow> claim(int limit) {
    // Rows whose relay died mid-delivery are due again once their lease expires; looking for them
    // about once a second is often enough next to a lease of tens of seconds.
    long now = System.nanoTime();
    if (now - lastRescueNanos > RESCUE_INTERVAL.toNanos()) {
      lastRescueNanos = now;
      int rescued = outbox.rescueExpiredLeases();
      if (rescued > 0) {
        log.info("Took over {} row(s) whose lease had expired", rescued);
      }
    }
    return claimTimer.record(
        () ->
            outbox.claim(
                relayId, limit, settings.leaseDuration(), http.breakers().refusingDeliveries()));
  }

  /**
   * Sends ready rows while slots are free. A row that waited longer than the delivery timeout is
   * given back instead: its lease covers one such wait and one delivery, no more.
   */
  private void startReady() {
    while (running && slots.tryAcquire()) {
      Claimed next = ready.poll();
      if (next == null) {
        slots.release();
        return;
      }
      if (System.nanoTime() - next.claimedNanos() > settings.deliveryTimeout().toNanos()) {
        slots.release();
        releaseQuietly(next.row());
        continue;
      }
      inFlight.incrementAndGet();
      try {
        deliveries.submit(() -> deliverInSlot(next.row()));
      } catch (RejectedExecutionException stopping) {
        // Shutting down: the row stays in the buffer and is given back with the others.
        inFlight.decrementAndGet();
        slots.release();
        ready.add(next);
        return;
      }
    }
    if (ready.size() <= settings.drainConcurrency() / 2) {
      wake();
    }
  }

  @SuppressWarnings("try") // the log fields are only closed, never read
  private void deliverInSlot(OutboxRow row) {
    AtomicBoolean released = new AtomicBoolean();
    // The slot bounds requests to the integrator: it is free again as soon as the answer is in,
    // while the outcome is still being committed together with others.
    Runnable answered =
        () -> {
          if (released.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
            slots.release();
            startReady();
          }
        };
    try (LogFields fields = LogFields.of(row.hook(), row.clusterId(), row.workId(), row.id())) {
      deliver(row, answered);
    } finally {
      answered.run();
      // A recorded row may let the next row of its cluster go.
      wake();
    }
  }

  private Duration untilNextDue() {
    Duration poll = settings.pollInterval();
    Optional<Duration> due = outbox.nextDueIn();
    if (due.isEmpty() || due.get().compareTo(poll) >= 0) {
      return poll;
    }
    return due.get().isNegative() ? Duration.ofMillis(1) : due.get();
  }

  private void awaitWake(Duration timeout) {
    try {
      if (wakeSignal.tryAcquire(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        wakeSignal.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /**
   * Sends one row and records the outcome.
   *
   * @param answered run once the integrator answered (or the call failed), before the outcome is
   *     committed
   */
  @SuppressWarnings("try") // the scope is only closed, never read
  void deliver(OutboxRow row, Runnable answered) {
    Span span = DeliverySpans.start(http.tracing(), row);
    try (Scope scope = span.makeCurrent()) {
      attempt(row, answered, span);
    } finally {
      span.end();
    }
  }

  private void attempt(OutboxRow row, Runnable answered, Span span) {
    Instant startedAt = Instant.now();
    long start = System.nanoTime();
    try {
      HookResponse response;
      try {
        response =
            http.send(
                CallKind.DELIVERY,
                row.hook(),
                row.webhookId(),
                row.payload(),
                settings.deliveryTimeout());
      } finally {
        answered.run();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      span.setAttribute(HookTracing.HTTP_STATUS, response.status());
      if (response.isSuccess()) {
        record(row, "delivered", took);
        DeliveryAttempt attempt =
            new DeliveryAttempt(startedAt, took, response.status(), null, response.body());
        if (!completions.submit(new OutboxRepository.Delivered(row, attempt))) {
          log.info(
              "{} delivered, but its lease had passed to another relay or a replay",
              row.describe());
        }
      } else {
        span.setStatus(StatusCode.ERROR, "HTTP " + response.status());
        record(row, "http_" + response.status() / 100 + "xx", took);
        String error = "HTTP " + response.status();
        retry(
            row,
            new DeliveryAttempt(startedAt, took, response.status(), error, response.body()),
            response.retryAfter());
      }
    } catch (HookCallException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      span.setStatus(StatusCode.ERROR, e.reason().name().toLowerCase());
      if (e.reason() == HookCallException.Reason.CIRCUIT_OPEN) {
        outbox.release(row);
        return;
      }
      record(row, e.reason().name().toLowerCase(), took);
      if (e.reason() == HookCallException.Reason.UNSENDABLE) {
        // The row's own fault: it fails alone rather than coming back every lease period.
        failAlone(row, startedAt, "the relay cannot deliver this row: " + e.getMessage());
        return;
      }
      if (e.reason() == HookCallException.Reason.INTERRUPTED
          || Thread.currentThread().isInterrupted()) {
        // The relay is stopping: the attempt is recorded for what it was, and the row is due again
        // at once for any relay. The interrupt is cleared so that the outcome can be written.
        Thread.interrupted();
        outbox.retryOrFail(
            row,
            new DeliveryAttempt(startedAt, took, null, e.getMessage(), null),
            Duration.ZERO,
            settings.maxAttempts(),
            settings.maxAge());
        log.info(
            "{} attempt {} interrupted at shutdown; due again now", row.describe(), row.attempts());
        return;
      }
      retry(
          row, new DeliveryAttempt(startedAt, took, null, e.getMessage(), null), Optional.empty());
    } catch (RuntimeException e) {
      log.warn(
          "Could not record the outcome of {} ({}); it is delivered again once its lease expires",
          row.describe(),
          RelayException.rootMessage(e));
    }
  }

  private void failAlone(OutboxRow row, Instant startedAt, String error) {
    try {
      outbox.retryOrFail(
          row,
          new DeliveryAttempt(startedAt, Duration.ZERO, null, error, null),
          Duration.ZERO,
          0,
          settings.maxAge());
      log.warn("{} failed: {}", row.describe(), error);
    } catch (RuntimeException e) {
      log.warn(
          "Could not record that {} cannot be delivered ({}); it is claimed again once its lease"
              + " expires",
          row.describe(),
          RelayException.rootMessage(e));
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

  private void record(OutboxRow row, String outcome, Duration took) {
    timers.record(row.hook(), outcome, took);
  }

  /** Gives back the rows claimed but not yet sent: due again at once, for any relay. */
  private void releaseReady() {
    for (Claimed next = ready.poll(); next != null; next = ready.poll()) {
      releaseQuietly(next.row());
    }
  }

  private void releaseQuietly(OutboxRow row) {
    try {
      outbox.release(row);
    } catch (RuntimeException e) {
      log.warn(
          "Could not give back {} ({}); it is due again when its lease expires",
          row.describe(),
          RelayException.rootMessage(e));
    }
  }

  /**
   * Stops claiming, lets in-flight deliveries finish within the delivery timeout, then interrupts
   * the rest: an interrupted delivery is recorded as a failed attempt and retried by any relay.
   */
  @Override
  public void close() {
    running = false;
    wake();
    if (listener != null) {
      listener.close();
    }
    try {
      loop.join(settings.pollInterval().plusSeconds(5).toMillis());
      releaseReady();
      deliveries.shutdown();
      if (!deliveries.awaitTermination(
          settings.deliveryTimeout().plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Deliveries still in flight at shutdown; interrupting them (they will be retried)");
        deliveries.shutdownNow();
        deliveries.awaitTermination(5, TimeUnit.SECONDS);
      }
      // A delivery refused by the executor put its row back in the buffer after the first pass.
      releaseReady();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deliveries.shutdownNow();
    }
    completions.close();
  }
}
