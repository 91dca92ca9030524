package ccx.hooks.breaker;

import java.time.Duration;

/**
 * When an endpoint's breaker opens and how it looks for recovery. The figures behind the defaults
 * are in docs/RELIABILITY.md ("Failure isolation").
 *
 * <p>The outage rate is taken over the last {@value #OUTAGE_WINDOW} calls, with a verdict from
 * {@value #OUTAGE_MINIMUM_CALLS} on: over fewer, chance alone reaches half. With the former 20-call
 * window (10 at least), an integrator that answers 503 to 30 % of requests at random opened the
 * breaker in 100 of 100 trials and kept it open most of the time (a drain of 2,400 rows took 188 s
 * instead of 6 s); one failing a fifth opened it in 39 of 100 (EndpointBreakerTest). An endpoint
 * that is really out still opens soon: 20 failures in a row spanning 3 s open it, and from a window
 * full of answers, 50 outages do.
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
  private static final int OUTAGE_WINDOW = 100;
  private static final int OUTAGE_MINIMUM_CALLS = 50;

  /**
   * Pre-hooks: a caller waits on each, so an endpoint that is out answers at once rather than after
   * a timeout. Few probes: each is an approval some caller waits on. The price of the wider window:
   * an endpoint that stops answering altogether costs at least 20 callers their timeout before it
   * opens (10 with the former window), where a flaky one no longer costs every caller its answer.
   */
  public static BreakerPolicy preHooks() {
    return withProbes(2);
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
    return withProbes(4);
  }

  /** The thresholds both kinds share: 50 % of the window, or 20 failures in a row over 3 s. */
  private static BreakerPolicy withProbes(int probes) {
    return new BreakerPolicy(
        OUTAGE_WINDOW,
        OUTAGE_MINIMUM_CALLS,
        50,
        20,
        Duration.ofSeconds(3),
        Duration.ofSeconds(5),
        probes);
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
