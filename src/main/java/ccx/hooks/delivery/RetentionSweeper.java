package ccx.hooks.delivery;

import ccx.hooks.outbox.OutboxRepository;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes delivered rows older than the retention, in small batches so that no delete holds many
 * row locks or bloats one transaction. Failed rows are never deleted: they wait for a replay.
 */
public final class RetentionSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
  static final int BATCH = 1000;
  private static final Duration INTERVAL = Duration.ofMinutes(1);

  private final OutboxRepository outbox;
  private final Duration retention;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("outbox-retention").factory());

  public RetentionSweeper(OutboxRepository outbox, Duration retention) {
    this.outbox = outbox;
    this.retention = retention;
  }

  public void start() {
    timer.scheduleWithFixedDelay(
        this::sweepQuietly, INTERVAL.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  /** Deletes every delivered row past the retention; returns how many. */
  public int sweepOnce() {
    int total = 0;
    int deleted;
    do {
      deleted = outbox.deleteDelivered(retention, BATCH);
      total += deleted;
    } while (deleted == BATCH);
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
