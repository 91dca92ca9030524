package ccx.hooks.admin;

import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gauges read from the outbox table (the breakers' own are in {@code EndpointBreakers}). The table
 * is queried at most once per {@link #REFRESH}, however often (and by however many scrapers) the
 * metrics are read, and never more than one query in {@link #SPACING} of the time: with a million
 * unfinished rows a count takes tens of milliseconds, and then the gauges refresh less often rather
 * than cost more. One scrape refreshes; others meanwhile read the previous values instead of
 * waiting (no lock is held across JDBC, so no virtual thread is pinned). Gauges hold their state
 * strongly: Micrometer's default weak reference would let it be collected, and the gauges would
 * read NaN.
 */
public final class OutboxGauges {
  static final Duration REFRESH = Duration.ofSeconds(2);

  /** A refresh waits at least this many times as long as the previous one took. */
  static final int SPACING = 50;

  private final OutboxRepository outbox;
  private final ReentrantLock refreshing = new ReentrantLock();
  private volatile long nextReadNanos = System.nanoTime();
  private volatile Map<OutboxStatus, Long> counts = Map.of();
  private volatile double oldestSeconds = Double.NaN;

  private OutboxGauges(OutboxRepository outbox) {
    this.outbox = outbox;
  }

  public static void register(MeterRegistry registry, OutboxRepository outbox) {
    OutboxGauges gauges = new OutboxGauges(outbox);
    for (OutboxStatus status : OutboxStatus.values()) {
      Gauge.builder("ccx_hook_outbox_rows", gauges, g -> g.count(status))
          .description("Rows of hook_outbox by status")
          .tag("status", status.column())
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder("ccx_hook_outbox_oldest_pending_age_seconds", gauges, OutboxGauges::oldest)
        .description("Age of the oldest pending or delivering row; 0 when there is none")
        .strongReference(true)
        .register(registry);
  }

  private double count(OutboxStatus status) {
    refresh();
    Long count = counts.get(status);
    return count == null ? Double.NaN : count;
  }

  private double oldest() {
    refresh();
    return oldestSeconds;
  }

  private void refresh() {
    if (System.nanoTime() - nextReadNanos < 0 || !refreshing.tryLock()) {
      return;
    }
    long start = System.nanoTime();
    try {
      counts = outbox.countByStatusCheaply();
      oldestSeconds = outbox.oldestUnfinishedAge().toMillis() / 1000.0;
    } catch (RuntimeException e) {
      // Unknown while the database is unreachable: NaN, not a stale or made-up number.
      counts = Map.of();
      oldestSeconds = Double.NaN;
    } finally {
      long took = System.nanoTime() - start;
      nextReadNanos = System.nanoTime() + Math.max(REFRESH.toNanos(), SPACING * took);
      refreshing.unlock();
    }
  }
}
