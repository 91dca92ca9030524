package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The wait for quiet JITs ends at the first quiet window, when told to stop, and never later than
 * it was allowed to; on a settable clock, so nothing here sleeps.
 */
class JitActivityTest {
  private static final Duration WINDOW = Duration.ofSeconds(2);

  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();

  private JitActivity jit(LongSupplier compilationMillisPerRead) {
    return new JitActivity(
        () -> {
          reads.incrementAndGet();
          return compilationMillisPerRead.getAsLong();
        },
        WINDOW,
        clock::get,
        wait -> clock.addAndGet(wait.toNanos()));
  }

  @Test
  void a_jit_that_keeps_compiling_is_waited_for_only_as_long_as_allowed() {
    AtomicLong compiled = new AtomicLong();
    // 1,600 ms of compilation per 2 s window: never quiet.
    JitActivity busy = jit(() -> compiled.addAndGet(1_600));

    Duration waited = busy.awaitQuiet(Duration.ofSeconds(7), () -> false);

    assertThat(waited).isEqualTo(Duration.ofSeconds(7));
    assertThat(reads.get()).as("one before, then after 2, 4, 6 and 7 s").isEqualTo(5);
  }

  @Test
  void the_wait_ends_at_the_first_quiet_window() {
    AtomicLong compiled = new AtomicLong();
    // Three windows of 800 ms each, then 10 ms per window: under 5 % of 2 s (100 ms).
    JitActivity settling = jit(() -> compiled.addAndGet(reads.get() <= 4 ? 800 : 10));

    Duration waited = settling.awaitQuiet(Duration.ofMinutes(1), () -> false);

    assertThat(waited).isEqualTo(Duration.ofSeconds(8));
    assertThat(reads.get()).as("one before, three busy windows, one quiet").isEqualTo(5);
  }

  @Test
  void a_jit_already_quiet_costs_one_window() {
    JitActivity quiet = jit(() -> 7);

    assertThat(quiet.awaitQuiet(Duration.ofMinutes(1), () -> false)).isEqualTo(WINDOW);
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  void a_stop_ends_the_wait_after_the_window_it_came_in() {
    AtomicLong compiled = new AtomicLong();
    JitActivity busy = jit(() -> compiled.addAndGet(1_600));

    Duration waited = busy.awaitQuiet(Duration.ofMinutes(1), () -> clock.get() >= 4_000_000_000L);

    assertThat(waited).isEqualTo(Duration.ofSeconds(4));
  }
}
