package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import java.time.Duration;

/**
 * How the outbox is drained.
 *
 * @param deliveryTimeout {@code --delivery-timeout} (10s): one delivery attempt, connect to last
 *     byte. The lease on a claimed row is derived from it ({@link #leaseDuration()}).
 * @param drainConcurrency {@code --drain-concurrency} (16): deliveries in flight per relay; 0 makes
 *     an intake-only relay that stores hooks and leaves delivery to other relays. More drains a
 *     backlog faster against a slow integrator, and loads it more.
 * @param retryInitial {@code --retry-initial} (1s): the wait after the first failed attempt; it
 *     doubles with each further attempt, with jitter.
 * @param retryMax {@code --retry-max} (10m): the longest wait between attempts.
 * @param maxAttempts {@code --max-attempts} (25): attempts before a row becomes failed.
 * @param maxAge {@code --max-age} (72h): age after which a row that fails again becomes failed.
 * @param ordering {@code --ordering} (cluster): per-cluster FIFO, or none.
 * @param retention {@code --retention} (7d): how long delivered rows are kept.
 * @param pollInterval {@code --poll-interval} (1s): how often the outbox is read even without a
 *     notification; the most a lost notification can delay a delivery.
 */
public record DeliverySettings(
    Duration deliveryTimeout,
    int drainConcurrency,
    Duration retryInitial,
    Duration retryMax,
    int maxAttempts,
    Duration maxAge,
    Ordering ordering,
    Duration retention,
    Duration pollInterval) {

  // Each default is written once, as the command line reads it (the options' defaultValue refers
  // to these), and the typed default is parsed from that text.
  public static final String DELIVERY_TIMEOUT_TEXT = "10s";
  public static final String RETRY_INITIAL_TEXT = "1s";
  public static final String RETRY_MAX_TEXT = "10m";
  public static final String MAX_AGE_TEXT = "72h";
  public static final String ORDERING_TEXT = "cluster";
  public static final String RETENTION_TEXT = "7d";
  public static final String POLL_INTERVAL_TEXT = "1s";

  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Durations.parse(DELIVERY_TIMEOUT_TEXT);
  public static final int DEFAULT_DRAIN_CONCURRENCY = 16;
  public static final Duration DEFAULT_RETRY_INITIAL = Durations.parse(RETRY_INITIAL_TEXT);
  public static final Duration DEFAULT_RETRY_MAX = Durations.parse(RETRY_MAX_TEXT);
  public static final int DEFAULT_MAX_ATTEMPTS = 25;
  public static final Duration DEFAULT_MAX_AGE = Durations.parse(MAX_AGE_TEXT);
  public static final Ordering DEFAULT_ORDERING =
      Ordering.valueOf(ORDERING_TEXT.toUpperCase(java.util.Locale.ROOT));
  public static final Duration DEFAULT_RETENTION = Durations.parse(RETENTION_TEXT);
  public static final Duration DEFAULT_POLL_INTERVAL = Durations.parse(POLL_INTERVAL_TEXT);

  /**
   * Added to the delivery timeout to make a lease: room for the outcome to be committed (it waits
   * for a group commit, milliseconds) and for a pause of the JVM. A relay that dies holds its rows
   * this much longer than the timeout before another relay takes them.
   */
  public static final Duration LEASE_MARGIN = Duration.ofSeconds(10);

  public DeliverySettings {
    Validate.positive("--delivery-timeout", deliveryTimeout);
    Validate.atLeast("--drain-concurrency", drainConcurrency, 0);
    Validate.positive("--retry-initial", retryInitial);
    Validate.positive("--retry-max", retryMax);
    if (retryMax.compareTo(retryInitial) < 0) {
      throw new ConfigException(
          "--retry-max ("
              + Durations.format(retryMax)
              + ") must not be shorter than --retry-initial ("
              + Durations.format(retryInitial)
              + ")");
    }
    Validate.atLeast("--max-attempts", maxAttempts, 1);
    Validate.positive("--max-age", maxAge);
    if (ordering == null) {
      throw new ConfigException("--ordering must be cluster or none");
    }
    Validate.positive("--retention", retention);
    Validate.positive("--poll-interval", pollInterval);
  }

  public static DeliverySettings defaults() {
    return new DeliverySettings(
        DEFAULT_DELIVERY_TIMEOUT,
        DEFAULT_DRAIN_CONCURRENCY,
        DEFAULT_RETRY_INITIAL,
        DEFAULT_RETRY_MAX,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_MAX_AGE,
        DEFAULT_ORDERING,
        DEFAULT_RETENTION,
        DEFAULT_POLL_INTERVAL);
  }

  /** False for an intake-only relay ({@code --drain-concurrency 0}). */
  public boolean drains() {
    return drainConcurrency > 0;
  }

  /**
   * A claimed row may wait in the drainer's buffer for a free slot (the drainer gives it back
   * rather than send it after waiting one delivery timeout), then be delivered (one more), then
   * have its outcome committed: two timeouts and the margin, so a live relay never loses a row it
   * is still delivering.
   */
  public Duration leaseDuration() {
    return deliveryTimeout.multipliedBy(2).plus(LEASE_MARGIN);
  }
}
