package ccx.hooks.delivery;

import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.Durations;
import ccx.hooks.core.Hook;
import ccx.hooks.core.HookTimers;
import ccx.hooks.core.RelayException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.GroupCommit;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.wire.HookHttpClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: one loop that claims due rows (a short transaction that commits before any
 * HTTP call) into {@link DeliverySlots}, which sends each on a virtual thread through {@link
 * RowDelivery}, which records the outcome against the lease. Wakes on LISTEN / NOTIFY, on a
 * finished delivery, when a breaker changes state, when the earliest retry is due, and at least
 * every poll interval.
 *
 * <p>Each hook endpoint has its own delivery breaker. While one is open, or half-open with all its
 * probes out, the drainer claims no rows of that hook (the others flow); half-open, a few rows are
 * the probes. A row a breaker refuses is given back without counting an attempt, so an outage does
 * not burn every row's attempts.
 */
public final class OutboxDrainer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxDrainer.class);
  private static final int COMPLETION_WRITERS = 2;
  private static final int COMPLETION_BATCH = 256;

  /**
   * After a claim that found less than it wanted, the next waits this long: every notification and
   * every completion wakes the loop, and a claim per wake-up would spend the CPU on claim queries
   * that each find a row or two.
   */
  private static final Duration CLAIM_PAUSE = Duration.ofMillis(5);

  private final OutboxRepository outbox;
  private final EndpointBreakers breakers;
  private final DeliverySettings settings;
  private final String relayId;
  private final Timer claimTimer;
  private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();
  private final GroupCommit<OutboxRepository.Delivered, Boolean> completions;
  private final DeliverySlots slots;
  private final Semaphore wakeSignal = new Semaphore(0);
  private final Thread loop;
  private volatile boolean running;
  private final LeaseRescue rescue;
  private NotificationListener listener;

  public OutboxDrainer(
      OutboxRepository outbox,
      HookHttpClient http,
      DeliverySettings settings,
      String relayId,
      MeterRegistry metrics,
      RandomGenerator random) {
    this.outbox = outbox;
    this.breakers = http.breakers(); // the loop asks them; RowDelivery makes the calls
    this.settings = settings;
    this.relayId = relayId;
    this.claimTimer = ClaimTimer.register(metrics);
    this.rescue = new LeaseRescue(outbox);
    this.completions =
        new GroupCommit<>(
            "record the delivery", COMPLETION_WRITERS, COMPLETION_BATCH, outbox::markDelivered);
    RowDelivery delivery =
        new RowDelivery(
            outbox,
            http,
            settings,
            new RetryPolicy(
                settings.retryInitial(), settings.retryMax(), settings.maxAge(), random),
            new HookTimers(
                metrics,
                "ccx_hook_delivery",
                "Delivery attempts of outbox rows, by hook and outcome"),
            completions);
    this.slots =
        new DeliverySlots(
            settings.drainConcurrency(),
            settings.deliveryTimeout(),
            deliveries,
            delivery,
            this::wake);
    this.loop = Thread.ofPlatform().name("outbox-drainer").unstarted(this::run);
    // A breaker turning half-open (or closing) makes rows of its hook claimable again.
    breakers.onDeliveryStateChange(this::wake);
  }

  /** Starts draining in the background, woken by notifications on {@code listenUrl}. */
  public void start(DatabaseUrl listenUrl) {
    running = true;
    listener = new NotificationListener(listenUrl, this::wake);
    listener.start();
    slots.watchSlowCalls();
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
   * One turn of the loop a started drainer runs (rescue expired leases, claim, buffer, send), then
   * waits until every delivery it started is recorded. For tests and tools; a started drainer does
   * this by itself.
   *
   * @return how many rows were claimed
   */
  public int drainOnce() {
    rescue.dueNow();
    int claimed = turn(slots.claimable());
    while (!slots.idle()) {
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    return claimed;
  }

  /** Claims up to {@code wanted} rows and hands them to the slots; returns how many it got. */
  private int turn(int wanted) {
    if (wanted <= 0) {
      // The buffer is full enough; what waits in it may still have a slot that freed unseen.
      slots.startBuffered();
      return 0;
    }
    rescue.rescueIfDue();
    Set<Hook> skipped = EnumSet.noneOf(Hook.class);
    skipped.addAll(breakers.refusingDeliveries()); // open, or its probes all out
    skipped.addAll(slots.saturated()); // an endpoint that hangs
    List<OutboxRow> rows =
        claimTimer.record(() -> outbox.claim(relayId, wanted, settings.leaseDuration(), skipped));
    slots.offer(rows);
    return rows.size();
  }

  private void run() {
    boolean databaseWarned = false;
    long lastPartialClaim = 0;
    while (running) {
      try {
        int wanted = slots.claimable();
        if (wanted > 0) {
          long sincePartial = System.nanoTime() - lastPartialClaim;
          if (sincePartial < CLAIM_PAUSE.toNanos()) {
            LockSupport.parkNanos(CLAIM_PAUSE.toNanos() - sincePartial);
          }
        }
        int claimed = turn(wanted);
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
   * Stops claiming and gives back what is buffered, lets in-flight deliveries finish within the
   * delivery timeout, then interrupts the rest: an interrupted delivery is recorded as such and is
   * due again at once for any relay. Completions are committed last, after every delivery ended.
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
      slots.close();
      deliveries.shutdown();
      if (!deliveries.awaitTermination(
          settings.deliveryTimeout().plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Deliveries still in flight at shutdown; interrupting them (they will be retried)");
        deliveries.shutdownNow();
        deliveries.awaitTermination(5, TimeUnit.SECONDS);
      }
      // A delivery refused by the executor put its row back in the buffer after the first pass.
      slots.giveBackBuffered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deliveries.shutdownNow();
    }
    completions.close();
  }
}
