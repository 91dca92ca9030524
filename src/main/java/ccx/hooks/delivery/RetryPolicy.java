package ccx.hooks.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try again after a failed attempt: {@code retryInitial} doubled per attempt and capped at
 * {@code retryMax}, then jittered down by up to half ("equal jitter"), so relays that failed
 * together do not retry together, while no wait falls below half the schedule. A {@code
 * Retry-After} from the integrator (429, 503) is honoured as given.
 */
final class RetryPolicy {
  private final Duration retryInitial;
  private final Duration retryMax;
  private final Duration maxWait;
  private final RandomGenerator random;

  RetryPolicy(Duration retryInitial, Duration retryMax, Duration maxWait, RandomGenerator random) {
    this.retryInitial = retryInitial;
    this.retryMax = retryMax;
    this.maxWait = maxWait;
    this.random = random;
  }

  /** The schedule before jitter for the wait after attempt number {@code attempt} (1-based). */
  Duration ceiling(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 62));
    long nanos = retryInitial.toNanos();
    for (int i = 0; i < doublings && nanos < retryMax.toNanos(); i++) {
      nanos = Math.multiplyExact(nanos, 2);
    }
    return Duration.ofNanos(Math.min(nanos, retryMax.toNanos()));
  }

  /**
   * The wait after attempt number {@code attempt}: in [ceiling/2, ceiling], or the Retry-After when
   * that is longer.
   */
  Duration delayAfter(int attempt, Optional<Duration> retryAfter) {
    long ceiling = ceiling(attempt).toNanos();
    long half = ceiling / 2;
    Duration backoff = Duration.ofNanos(half + random.nextLong(ceiling - half + 1));
    Duration wait = retryAfter.filter(r -> r.compareTo(backoff) > 0).orElse(backoff);
    return wait.compareTo(maxWait) > 0 ? maxWait : wait;
  }
}
