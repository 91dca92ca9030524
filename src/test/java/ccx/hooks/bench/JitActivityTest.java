package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The wait for quiet JITs ends at the first quiet window, and never later than it was told. */
class JitActivityTest {
  private static final Duration WINDOW = Duration.ofMillis(50);

  @Test
  void a_jit_that_keeps_compiling_is_waited_for_only_as_long_as_allowed() {
    AtomicLong compiled = new AtomicLong();
    // 40 ms of compilation per read: 80 % of each 50 ms window, never quiet.
    JitActivity busy = new JitActivity(() -> compiled.addAndGet(40), WINDOW);

    Duration waited = busy.awaitQuiet(Duration.ofMillis(300));

    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(compiled.get() / 40).as("reads: one before, then one per window").isBetween(3L, 8L);
  }

  @Test
  void the_wait_ends_at_the_first_quiet_window() {
    AtomicLong reads = new AtomicLong();
    // Busy for the first three windows, then 1 ms per window: under 5 % of 50 ms.
    JitActivity settling =
        new JitActivity(
            () -> {
              long read = reads.incrementAndGet();
              return read <= 3 ? read * 40 : 120 + read;
            },
            WINDOW);

    settling.awaitQuiet(Duration.ofMinutes(1));

    assertThat(reads.get()).as("reads: one before, three busy windows, one quiet").isEqualTo(5);
  }

  @Test
  void a_jit_already_quiet_costs_one_window() {
    AtomicLong reads = new AtomicLong();
    JitActivity quiet =
        new JitActivity(
            () -> {
              reads.incrementAndGet();
              return 7;
            },
            WINDOW);

    quiet.awaitQuiet(Duration.ofMinutes(1));

    assertThat(reads.get()).isEqualTo(2);
  }
}
