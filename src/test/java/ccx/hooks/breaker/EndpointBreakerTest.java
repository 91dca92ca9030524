package ccx.hooks.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.core.Hook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The policies a relay runs with, fed outcomes as an integrator would produce them. The failures
 * come from seeded generators, so each run sees the same sequences; each test looks at a hundred
 * endpoints, because the question is how often a breaker opens, not whether one sequence opens it.
 */
class EndpointBreakerTest {
  private static final int ENDPOINTS = 100;

  @ParameterizedTest
  @EnumSource(CallKind.class)
  void an_endpoint_failing_a_fifth_of_its_calls_at_random_is_never_taken_for_an_outage(
      CallKind kind) {
    assertThat(endpointsOpened(kind, 0.2, 1_000)).isZero();
  }

  @ParameterizedTest
  @EnumSource(CallKind.class)
  void an_endpoint_failing_three_calls_in_ten_at_random_is_rarely_taken_for_an_outage(
      CallKind kind) {
    // With the former policy (20 calls, 10 at least) 100 of 100 opened: 10 failures in 20 are a
    // common run of chance at 30 %. With this one, 0 of 100 do here, and 74 of 100 at 40 %.
    assertThat(endpointsOpened(kind, 0.3, 1_000)).isLessThanOrEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(CallKind.class)
  void an_endpoint_failing_most_calls_opens_within_its_first_hundred(CallKind kind) {
    assertThat(endpointsOpened(kind, 0.6, 100)).isEqualTo(ENDPOINTS);
  }

  @ParameterizedTest
  @EnumSource(CallKind.class)
  void an_endpoint_that_answered_every_call_opens_once_half_of_the_window_fails(CallKind kind) {
    EndpointBreaker breaker = breaker(kind);
    for (int i = 0; i < 1_000; i++) {
      call(breaker, Outcome.ANSWERED);
    }
    int failed = 0;
    while (breaker.state() == BreakerState.CLOSED) {
      call(breaker, Outcome.OUTAGE);
      failed++;
    }
    assertThat(failed).isEqualTo(50);
  }

  /**
   * Of {@link #ENDPOINTS} endpoints failing {@code share} of {@code calls} calls, how many open.
   */
  private static int endpointsOpened(CallKind kind, double share, int calls) {
    int opened = 0;
    for (int seed = 0; seed < ENDPOINTS; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      EndpointBreaker breaker = breaker(kind);
      for (int i = 0; i < calls && breaker.state() == BreakerState.CLOSED; i++) {
        call(breaker, random.nextDouble() < share ? Outcome.OUTAGE : Outcome.ANSWERED);
      }
      if (breaker.state() != BreakerState.CLOSED) {
        opened++;
      }
    }
    return opened;
  }

  private static EndpointBreaker breaker(CallKind kind) {
    return EndpointBreakers.create(new SimpleMeterRegistry()).of(kind, hookOf(kind));
  }

  private static Hook hookOf(CallKind kind) {
    return kind == CallKind.PREHOOK ? Hook.PRE_CREATE_CLUSTER : Hook.POST_CREATE_CLUSTER;
  }

  private static void call(EndpointBreaker breaker, Outcome outcome) {
    assertThat(breaker.tryAcquire()).as("the breaker lets the call through").isTrue();
    breaker.record(outcome, Duration.ofMillis(1));
  }
}
