package ccx.hooks.breaker;

import java.time.Duration;

/**
 * When an endpoint's breaker opens and how it looks for recovery. The figures behind the defaults
 * are in docs/RELIABILITY.md ("Failure isolation").
 *
 * @param outageWindow how many recent calls the outage rate is taken over
 * @param outageMinimumCalls no verdict on fewer calls than this
 * @param outageRatePercent the share of outages (refused, reset, timeout, 502/503/504) that opens
 * @param allFailingCalls with {@code allFailingSpan}: this many failures in a row (any 5xx, 408 or
 *     outage, no answer in between) open the breaker too
 * @param allFailingSpan ... provided they span at least this long
 * @param openFor how long an open breaker refuses calls before it lets probes through
 * @param probes how many calls go through while half-open; their outcome closes or reopens it
 */
public record BreakerPolicy(
    int outageWindow,
    int outageMinimumCalls,
    int outageRatePercent,
    int allFailingCalls,
    Duration allFailingSpan,
    Duration openFor,
    int probes) {

  /**
   * Pre-hooks: a caller waits on each, so an endpoint that is out answers at once rather than after
   * a timeout. Few probes: each is an approval some caller waits on.
   */
  public static BreakerPolicy preHooks() {
    return new BreakerPolicy(20, 10, 50, 20, Duration.ofSeconds(3), Duration.ofSeconds(5), 2);
  }

  /**
   * Deliveries. "Every call failing" needs both a count and a span: the flaky integrator of
   * DeliveryIsolationTest (500, 500, then 200 per webhook-id, 200 rows over 10 clusters, retries
   * from 100 ms) fails 20 calls in a row at its start (measured), but within 0.3 s, and must not
   * open it; an endpoint that answers 500 to everything keeps failing past 3 s within its first
   * seconds of backoff, and from then on its rows keep their attempts. Four probes: one row is one
   * sample, and a probe that meets a row's own failure must not hide a recovery for another 5 s.
   */
  public static BreakerPolicy deliveries() {
    return new BreakerPolicy(20, 10, 50, 20, Duration.ofSeconds(3), Duration.ofSeconds(5), 4);
  }

  public BreakerPolicy withOpenFor(Duration openFor) {
    return new BreakerPolicy(
        outageWindow,
        outageMinimumCalls,
        outageRatePercent,
        allFailingCalls,
        allFailingSpan,
        openFor,
        probes);
  }
}
