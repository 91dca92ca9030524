package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import ccx.hooks.core.RelayException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claim percentiles read back from what a real Prometheus registry scrapes. */
class ClaimHistogramTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer claims =
      Timer.builder("ccx_hook_claim")
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(100_000))
          .maximumExpectedValue(Duration.ofSeconds(1))
          .register(registry);

  private void record(int times, Duration each) {
    for (int i = 0; i < times; i++) {
      claims.record(each);
    }
  }

  @Test
  void percentiles_come_from_the_scraped_buckets_within_their_resolution() {
    record(900, Duration.ofMillis(2));
    record(100, Duration.ofMillis(40));

    ClaimHistogram histogram = ClaimHistogram.parse(registry.scrape());

    assertThat(histogram.count()).isEqualTo(1000);
    // Micrometer's buckets grow by about a third each: that is the resolution.
    assertThat(histogram.percentileMillis(50)).isCloseTo(2.0, withinPercentage(25));
    assertThat(histogram.percentileMillis(99)).isCloseTo(40.0, withinPercentage(25));
  }

  @Test
  void a_phase_counts_only_what_happened_between_its_two_scrapes() {
    record(500, Duration.ofMillis(40));
    ClaimHistogram before = ClaimHistogram.parse(registry.scrape());
    record(200, Duration.ofMillis(1));

    ClaimHistogram phase = ClaimHistogram.parse(registry.scrape()).since(before);

    assertThat(phase.count()).isEqualTo(200);
    assertThat(phase.percentileMillis(99)).isCloseTo(1.0, withinPercentage(25));
  }

  @Test
  void two_relays_add_up_bucket_by_bucket() {
    record(300, Duration.ofMillis(2));
    ClaimHistogram one = ClaimHistogram.parse(registry.scrape());

    ClaimHistogram both = ClaimHistogram.sum(List.of(one, one));

    assertThat(both.count()).isEqualTo(600);
    assertThat(both.percentileMillis(50)).isEqualTo(one.percentileMillis(50));
  }

  @Test
  void a_relay_without_the_metric_is_named_as_the_cause() {
    assertThatThrownBy(() -> ClaimHistogram.parse("process_uptime_seconds 12.0\n"))
        .isInstanceOf(RelayException.class)
        .hasMessageContaining("ccx_hook_claim_seconds");
  }

  @Test
  void a_phase_without_claims_is_an_error_not_a_zero() {
    record(10, Duration.ofMillis(2));
    ClaimHistogram scrape = ClaimHistogram.parse(registry.scrape());

    assertThatThrownBy(() -> scrape.since(scrape).percentileMillis(50))
        .isInstanceOf(RelayException.class)
        .hasMessageContaining("no claims");
  }
}
