package ccx.hooks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void every_unit_an_operator_writes_is_read() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("72h")).isEqualTo(Duration.ofHours(72));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse(" 30s ")).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"5x", "5", "s", "-1s", "1.5s", "5 s", "5S", "PT5S", "1h30m"})
  void anything_else_is_refused_naming_the_format(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration")
        .hasMessageContaining("500ms, 5s, 10m, 72h or 7d");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "999999999999999d"})
  void an_amount_too_large_for_a_duration_is_refused_naming_the_format(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text)
        .hasMessageContaining("500ms, 5s, 10m, 72h or 7d");
  }

  @Test
  void a_duration_is_written_in_its_largest_exact_unit() {
    assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Durations.format(Duration.ofHours(72))).isEqualTo("3d");
    assertThat(Durations.format(Duration.ofHours(25))).isEqualTo("25h");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"250ms", "1s", "61s", "10m", "90m", "23h", "7d"})
  void what_is_formatted_parses_back_to_the_same_duration(String text) {
    Duration duration = Durations.parse(text);

    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }
}
