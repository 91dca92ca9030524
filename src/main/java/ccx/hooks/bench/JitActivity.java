package ccx.hooks.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How busy the JITs taking part in a measurement still are: the relays' (from their metrics) and
 * this process's, which runs the callers and the integrator. On two cores, a JIT that is still
 * compiling hot paths takes most of a core from the work being measured: in a pre-hook run after a
 * 20 s warm-up, the relay's C2 compiler thread used 5 of the 11 CPU seconds the relay used. A relay
 * in production finished that long ago, so loads wait for quiet before they measure.
 */
final class JitActivity {
  /** How often the JITs are read while waiting. */
  static final Duration WINDOW = Duration.ofSeconds(2);

  /** Quiet: the JITs compiled for less than this share of a window, summed over the JVMs. */
  static final double QUIET_SHARE = 0.05;

  private final LongSupplier compilationMillis;
  private final Duration window;
  private final LongSupplier nanoTime;
  private final Consumer<Duration> sleep;

  /**
   * @param compilationMillis milliseconds of compilation so far, summed over the JVMs watched
   * @param window how often to read it
   * @param nanoTime the clock, as {@link System#nanoTime()}
   * @param sleep waits the given time on that clock
   */
  JitActivity(
      LongSupplier compilationMillis,
      Duration window,
      LongSupplier nanoTime,
      Consumer<Duration> sleep) {
    this.compilationMillis = compilationMillis;
    this.window = window;
    this.nanoTime = nanoTime;
    this.sleep = sleep;
  }

  /** The JITs of {@code relays} and of this process, read every {@link #WINDOW}. */
  static JitActivity of(List<RelayProcess> relays) {
    List<RelayProcess> watched = List.copyOf(relays);
    CompilationMXBean own = ManagementFactory.getCompilationMXBean();
    return new JitActivity(
        () ->
            watched.stream().mapToLong(RelayProcess::compilationMillis).sum()
                + (own != null && own.isCompilationTimeMonitoringSupported()
                    ? own.getTotalCompilationTime()
                    : 0),
        WINDOW,
        System::nanoTime,
        RelayProcess::sleep);
  }

  /**
   * Waits, a window at a time, for a window in which the JITs compiled for less than {@link
   * #QUIET_SHARE} of it, until {@code longest} has passed (and the last reading, which asks each
   * relay for its metrics, has come back), or until {@code stop} says so after a window.
   *
   * <p>HotSpot counts a compilation's time when it ends, so one long compilation still running at
   * the end of a quiet window does not show in it.
   *
   * @return how long it waited
   */
  Duration awaitQuiet(Duration longest, BooleanSupplier stop) {
    long start = nanoTime.getAsLong();
    long deadline = start + longest.toNanos();
    long before = compilationMillis.getAsLong();
    for (long left = longest.toNanos(); left > 0; left = deadline - nanoTime.getAsLong()) {
      Duration wait = Duration.ofNanos(Math.min(window.toNanos(), left));
      sleep.accept(wait);
      if (stop.getAsBoolean()) {
        break;
      }
      long now = compilationMillis.getAsLong();
      if (now - before < wait.toMillis() * QUIET_SHARE) {
        break;
      }
      before = now;
    }
    return Duration.ofNanos(nanoTime.getAsLong() - start);
  }
}
