package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.RelayException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A load's warm-up that waits for quiet JITs ends, whatever goes wrong during it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClosedLoadTest {
  private static final Duration WINDOW = Duration.ofMillis(20);

  private static JitActivity jit(LongSupplier compilationMillis) {
    return new JitActivity(compilationMillis, WINDOW, System::nanoTime, RelayProcess::sleep);
  }

  @Test
  void measures_after_the_wait_and_tells_the_window_in_order() {
    List<String> told = new ArrayList<>();
    AtomicLong compiled = new AtomicLong();
    // Busy for the first few readings, then quiet.
    JitActivity settling = jit(() -> compiled.get() < 5 ? compiled.incrementAndGet() * 100 : 500);
    ClosedLoad load =
        new ClosedLoad(Duration.ofMillis(50), Duration.ofMillis(200))
            .untilQuiet(settling, Duration.ofMinutes(1))
            .watchedBy(
                new ClosedLoad.Window() {
                  @Override
                  public void opens() {
                    told.add("opens");
                  }

                  @Override
                  public void closes() {
                    told.add("closes");
                  }
                });

    load.run(2, i -> Thread.sleep(1));

    assertThat(told).containsExactly("opens", "closes");
    assertThat(load.warmedUp()).isGreaterThanOrEqualTo(Duration.ofMillis(50).plus(WINDOW));
    assertThat(load.measuredCalls()).isPositive();
  }

  @Test
  void a_jit_that_cannot_be_read_fails_the_run_instead_of_hanging_it() {
    AtomicLong reads = new AtomicLong();
    JitActivity unreadable =
        jit(
            () -> {
              if (reads.incrementAndGet() > 1) {
                throw new RelayException("cannot read the relay's /metrics: connection refused");
              }
              return 0;
            });
    ClosedLoad load =
        new ClosedLoad(Duration.ofMillis(10), Duration.ofSeconds(1))
            .untilQuiet(unreadable, Duration.ofMinutes(1));

    assertThatThrownBy(() -> load.run(2, i -> Thread.sleep(1)))
        .isInstanceOf(RelayException.class)
        .hasMessageContaining("/metrics");
  }

  @Test
  void a_caller_failing_during_the_wait_ends_the_run_at_once() {
    AtomicLong compiled = new AtomicLong();
    JitActivity neverQuiet = jit(() -> compiled.addAndGet(1_000));
    ClosedLoad load =
        new ClosedLoad(Duration.ofMillis(10), Duration.ofSeconds(1))
            .untilQuiet(neverQuiet, Duration.ofMinutes(5));

    assertThatThrownBy(
            () ->
                load.run(
                    2,
                    i -> {
                      Thread.sleep(1);
                      if (i == 20) {
                        throw new IllegalStateException("the relay refused call 20");
                      }
                    }))
        .isInstanceOf(RelayException.class)
        .hasMessageContaining("a bench caller failed")
        .hasMessageContaining("call 20");
  }
}
