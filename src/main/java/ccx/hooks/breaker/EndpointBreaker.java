package ccx.hooks.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The breaker of one integrator endpoint for one kind of call. It opens on an outage of that
 * endpoint only: half of the recent calls found nobody there ({@link Outcome#OUTAGE}), or every
 * call for a while failed. One hook's own failure ({@link Outcome#ROW_FAILURE} among answers) never
 * opens it: the row's backoff deals with that.
 */
public final class EndpointBreaker {
  private final CircuitBreaker breaker;
  private final BreakerPolicy policy;
  private final Counter refused;
  private final AtomicInteger inFlight = new AtomicInteger();
  private int failuresInRow;
  private long firstFailureNanos;

  EndpointBreaker(CircuitBreaker breaker, BreakerPolicy policy, Counter refused) {
    this.breaker = breaker;
    this.policy = policy;
    this.refused = refused;
  }

  /** False when the endpoint is open (or its probes are all out): do not call it now. */
  public boolean tryAcquire() {
    if (!breaker.tryAcquirePermission()) {
      refused.increment();
      return false;
    }
    inFlight.incrementAndGet();
    return true;
  }

  /** Records the outcome of a call that {@link #tryAcquire()} let through. */
  public void record(Outcome outcome, Duration took) {
    inFlight.decrementAndGet();
    if (outcome == Outcome.OUTAGE) {
      breaker.onError(took.toNanos(), TimeUnit.NANOSECONDS, new EndpointOutage());
    } else {
      breaker.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (allRecentCallsFailed(outcome) && isCallable()) {
      breaker.transitionToOpenState();
    }
  }

  /**
   * Ends a call that says nothing about the endpoint: the caller's deadline cut it short, or the
   * relay is stopping.
   */
  public void release() {
    inFlight.decrementAndGet();
    breaker.releasePermission();
  }

  private synchronized boolean allRecentCallsFailed(Outcome outcome) {
    if (outcome == Outcome.ANSWERED) {
      failuresInRow = 0;
      return false;
    }
    long now = System.nanoTime();
    if (failuresInRow == 0) {
      firstFailureNanos = now;
    }
    failuresInRow++;
    return failuresInRow >= policy.allFailingCalls()
        && now - firstFailureNanos >= policy.allFailingSpan().toNanos();
  }

  private boolean isCallable() {
    CircuitBreaker.State state = breaker.getState();
    return state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.HALF_OPEN;
  }

  /**
   * Whether a drainer should hand this endpoint more rows: yes while closed, while half-open only
   * as long as probes are free.
   */
  public boolean admitsMore() {
    return switch (breaker.getState()) {
      case CLOSED, DISABLED, METRICS_ONLY -> true;
      case HALF_OPEN -> inFlight.get() < policy.probes();
      case OPEN, FORCED_OPEN -> false;
    };
  }

  public BreakerState state() {
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN -> BreakerState.OPEN;
      case HALF_OPEN -> BreakerState.HALF_OPEN;
      case CLOSED, DISABLED, METRICS_ONLY -> BreakerState.CLOSED;
    };
  }

  /** For tests and tools: the Resilience4j breaker underneath. */
  CircuitBreaker circuitBreaker() {
    return breaker;
  }

  /** Recorded against the breaker for an outage; never thrown. */
  private static final class EndpointOutage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EndpointOutage() {
      super("endpoint outage", null, false, false);
    }
  }
}
