package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(
          Duration.ofSeconds(1),
          Duration.ofMinutes(10),
          Duration.ofHours(72),
          RandomGenerator.of("L64X128MixRandom"));

  @Test
  void the_schedule_doubles_from_the_initial_wait_and_stops_at_the_maximum() {
    assertThat(policy.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.ceiling(10)).isEqualTo(Duration.ofSeconds(512));
    assertThat(policy.ceiling(11)).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.ceiling(1000)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void every_wait_is_jittered_between_half_and_all_of_the_schedule() {
    for (int attempt = 1; attempt <= 30; attempt++) {
      Duration ceiling = policy.ceiling(attempt);
      for (int i = 0; i < 200; i++) {
        assertThat(policy.delayAfter(attempt, Optional.empty()))
            .isBetween(ceiling.dividedBy(2), ceiling);
      }
    }
  }

  @Test
  void the_jitter_spreads_waits_rather_than_repeating_one() {
    long distinct =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> policy.delayAfter(3, Optional.empty()))
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(50);
  }

  @Test
  void a_retry_after_from_the_integrator_is_honoured_as_the_least_wait() {
    assertThat(policy.delayAfter(1, Optional.of(Duration.ofSeconds(120))))
        .isEqualTo(Duration.ofSeconds(120));
    assertThat(policy.delayAfter(12, Optional.of(Duration.ofSeconds(1))))
        .isBetween(Duration.ofMinutes(5), Duration.ofMinutes(10));
  }

  @Test
  void no_wait_outlives_the_row() {
    assertThat(policy.delayAfter(1, Optional.of(Duration.ofDays(400 * 365L))))
        .isEqualTo(Duration.ofHours(72));
  }
}
