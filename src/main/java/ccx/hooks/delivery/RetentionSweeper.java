package ccx.hooks.delivery;

import ccx.hooks.outbox.OutboxRepository;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the outbox small where it is hot. Deletes delivered rows older than the retention, in small
 * batches so that no delete holds many row locks or bloats one transaction (failed rows are never
 * deleted: they wait for a replay). And vacuums the active partition as soon as deliveries have
 * left enough dead tuples in it: each one is an index entry that every claim steps over until a
 * vacuum removes it, so a drain that waits for autovacuum (a visit a minute at best) slows down as
 * it goes.
 */
public final class RetentionSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
  static final int BATCH = 1000;

  /** After a full batch the sweep pauses this many times as long as the batch took. */
  private static final int SWEEP_PAUSE_FACTOR = 4;

  private static final Duration INTERVAL = Duration.ofMinutes(1);

  /**
   * The first sweep, soon after start rather than a whole interval later: a relay started after a
   * long stop finds the most to delete, and the start itself (migrations, the first claims) is
   * over.
   */
  private static final Duration FIRST_SWEEP = Duration.ofSeconds(10);

  /**
   * Dead tuples that make a vacuum worth it. Stepping over a dead entry costs a claim about 25 ns
   * (BENCHMARKS.md), so 5,000 of them add about 0.1 ms to a claim, against a vacuum of the active
   * partition that takes tens of milliseconds.
   */
  static final long VACUUM_DEAD_TUPLES = 5_000;

  private static final Duration VACUUM_CHECK = Duration.ofSeconds(1);

  /** A vacuum waits at least this many times its last duration: it uses at most ~10% of a core. */
  private static final int VACUUM_SPACING = 10;

  private long vacuumAllowedAtNanos = System.nanoTime();
  private boolean vacuumWarned;

  private final OutboxRepository outbox;
  private final Duration retention;
  private final ScheduledExecutorService timer =
      // Two threads: a long retention sweep must not hold up the vacuum of the hot partition.
      Executors.newScheduledThreadPool(
          2, Thread.ofPlatform().daemon().name("outbox-maintenance-", 0).factory());

  public RetentionSweeper(OutboxRepository outbox, Duration retention) {
    this.outbox = outbox;
    this.retention = retention;
  }

  public void start() {
    timer.scheduleWithFixedDelay(
        this::sweepQuietly, FIRST_SWEEP.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
    timer.scheduleWithFixedDelay(
        this::vacuumIfDue, VACUUM_CHECK.toMillis(), VACUUM_CHECK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Vacuums the active partition when enough dead tuples piled up; returns whether it did. */
  boolean vacuumIfDue() {
    if (System.nanoTime() < vacuumAllowedAtNanos) {
      return false;
    }
    try {
      if (outbox.deadActiveTuples() < VACUUM_DEAD_TUPLES) {
        return false;
      }
      long start = System.nanoTime();
      outbox.vacuumActive();
      long took = System.nanoTime() - start;
      vacuumAllowedAtNanos = System.nanoTime() + VACUUM_SPACING * took;
      vacuumWarned = false;
      return true;
    } catch (RuntimeException e) {
      // Not the owner of the table, or the database is away: autovacuum still runs.
      if (!vacuumWarned) {
        log.warn("Could not vacuum hook_outbox_active ({}); relying on autovacuum", e.getMessage());
        vacuumWarned = true;
      }
      vacuumAllowedAtNanos = System.nanoTime() + INTERVAL.toNanos();
      return false;
    }
  }

  /** Deletes every delivered row past the retention; returns how many. */
  public int sweepOnce() {
    int total = 0;
    int deleted;
    do {
      long start = System.nanoTime();
      deleted = outbox.deleteDelivered(retention, BATCH);
      total += deleted;
      // A pause of several times what the batch took: each relay's sweep keeps at most a fifth of
      // one database connection's time, and the drain beside it the rest. A week of rows to
      // delete takes five times as long as flat out (10 million rows beside a drain went at
      // 12,000-14,000 a second: ~13 min; BENCHMARKS.md).
      // Stopped, the relay interrupts this thread: the pause ends at once, and so does the sweep.
      if (deleted == BATCH) {
        LockSupport.parkNanos(SWEEP_PAUSE_FACTOR * (System.nanoTime() - start));
      }
    } while (deleted == BATCH && !Thread.currentThread().isInterrupted());
    return total;
  }

  private void sweepQuietly() {
    try {
      int deleted = sweepOnce();
      if (deleted > 0) {
        log.info("Deleted {} delivered hooks older than the retention", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("Retention sweep failed ({}); trying again in {}", e.getMessage(), INTERVAL);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
