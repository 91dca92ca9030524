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
   * Deliveries. 20 failures in a row over at least 3 s: the flaky integrator of the isolation test
   * (500, 500, then 200 per webhook-id, 10 clusters) fails at most 20 calls in a row (measured), within
   * its first 0.3 s, and must not open it; an endpoint that answers 500 to everything reaches 20 in
   * a row spanning 3 s within its first seconds of backoff, and from then on its rows keep their
   * attempts. Four probes: one row is one sample, and a probe that hits a row's own failure must
   * not hide a recovery for another 5 s.
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
