package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a drain's receipts become the rate per tenth of the rows. */
class BacklogDrainTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void tenths_end_where_each_tenth_of_the_rows_is_delivered() {
    assertThat(BacklogDrain.tenths(2000))
        .containsExactly(200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000);
    assertThat(BacklogDrain.tenths(105)[0]).isEqualTo(11);
    assertThat(BacklogDrain.tenths(105)[9]).isEqualTo(105);
  }

  @Test
  void each_tenth_rate_is_its_rows_over_the_time_since_the_previous_mark() {
    long[] marks = BacklogDrain.tenths(1000);
    long first = 5 * SECOND;
    long[] at = new long[10];
    for (int k = 0; k < 10; k++) {
      // 100 rows per second at first, then half as fast from the sixth tenth on.
      at[k] = first + (k < 5 ? (k + 1) * SECOND : 5 * SECOND + (k - 4) * 2 * SECOND);
    }

    assertThat(BacklogDrain.rates(marks, at, first))
        .containsExactly(99.0, 100.0, 100.0, 100.0, 100.0, 50.0, 50.0, 50.0, 50.0, 50.0);
  }
}
