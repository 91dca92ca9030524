package ccx.hooks.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.stream.DoubleStream;

/**
 * {@code ccx_hook_claim_seconds}: the claim statement as the drainer waited for it. A histogram,
 * not a summary: percentiles of several relays add up only from buckets, and {@code bench} reads
 * them.
 */
final class ClaimTimer {
  private ClaimTimer() {}

  static Timer register(MeterRegistry metrics) {
    return Timer.builder("ccx_hook_claim")
        .description("The claim statement, as this relay waited for it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .serviceLevelObjectives(
            DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000)
                .mapToObj(ms -> Duration.ofNanos(Math.round(ms * 1e6)))
                .toArray(Duration[]::new))
        .register(metrics);
  }
}
