package ccx.hooks.delivery;

import ccx.hooks.outbox.OutboxRepository;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes rows whose lease expired (their relay died or stalled mid-delivery) due again, at most once
 * per {@link #INTERVAL}: often enough next to a lease of tens of seconds, rarely enough that the
 * drainer's loop does not add a statement to every claim.
 */
final class LeaseRescue {
  private static final Logger log = LoggerFactory.getLogger(LeaseRescue.class);
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final OutboxRepository outbox;
  private volatile long lastNanos = System.nanoTime() - INTERVAL.toNanos() - 1;

  LeaseRescue(OutboxRepository outbox) {
    this.outbox = outbox;
  }

  /** Rescues expired leases if the last look was an interval ago. */
  void rescueIfDue() {
    long now = System.nanoTime();
    if (now - lastNanos > INTERVAL.toNanos()) {
      lastNanos = now;
      int rescued = outbox.rescueExpiredLeases();
      if (rescued > 0) {
        log.info("Took over {} row(s) whose lease had expired", rescued);
      }
    }
  }

  /** Makes the next {@link #rescueIfDue} look, however recent the last: for a test's turn. */
  void dueNow() {
    lastNanos = System.nanoTime() - INTERVAL.toNanos() - 1;
  }
}
