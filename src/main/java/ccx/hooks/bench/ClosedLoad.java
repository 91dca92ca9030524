package ccx.hooks.bench;

import ccx.hooks.core.RelayException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Callers that each make one call after another, for a warm-up and then a measured duration; only
 * calls that start and end inside the measured duration count. The warm-up can be stretched until
 * the JITs taking part are quiet ({@link #untilQuiet}).
 */
final class ClosedLoad {
  /** One call of caller-chosen number {@code i}. */
  @FunctionalInterface
  interface Call {
    void once(long i) throws Exception;
  }

  /** Told when the measured duration opens, and again once every caller has stopped. */
  interface Window {
    void opens();

    void closes();
  }

  private final Duration warmup;
  private final Duration duration;
  private final Histogram nanos = newHistogram();
  private JitActivity jit;
  private Duration longestWait = Duration.ZERO;
  private Window window;
  private Duration warmedUp = Duration.ZERO;
  private long measuredCalls;

  ClosedLoad(Duration warmup, Duration duration) {
    this.warmup = warmup;
    this.duration = duration;
  }

  /**
   * After the warm-up, keeps the load going until {@code jit} is quiet or {@code longest} more has
   * passed, whichever comes first.
   */
  ClosedLoad untilQuiet(JitActivity jit, Duration longest) {
    this.jit = jit;
    this.longestWait = longest;
    return this;
  }

  /** Tells {@code window} when the measured duration opens and when the callers have stopped. */
  ClosedLoad watchedBy(Window window) {
    this.window = window;
    return this;
  }

  /** Latencies in nanoseconds, from many threads; three significant digits. */
  static Histogram newHistogram() {
    return new ConcurrentHistogram(3);
  }

  ClosedLoad run(int callers, Call call) {
    AtomicLong measured = new AtomicLong();
    // Long.MAX_VALUE until the warm-up ends: calls run, and none is measured.
    AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
    AtomicLong end = new AtomicLong(Long.MAX_VALUE);
    long started = System.nanoTime();
    List<Future<?>> loops = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < callers; c++) {
        int caller = c;
        loops.add(
            threads.submit(
                () -> {
                  try {
                    for (long i = caller; ; i += callers) {
                      long start = System.nanoTime();
                      if (start >= end.get()) {
                        return null;
                      }
                      call.once(i);
                      long done = System.nanoTime();
                      if (start >= measureFrom.get() && done <= end.get()) {
                        nanos.recordValue(done - start);
                        measured.incrementAndGet();
                      }
                    }
                  } catch (Exception e) {
                    end.set(Long.MIN_VALUE); // the run fails: every caller stops now
                    throw e;
                  }
                }));
      }
      try {
        RelayProcess.sleep(warmup);
        if (jit != null) {
          jit.awaitQuiet(longestWait, () -> end.get() == Long.MIN_VALUE);
        }
        if (window != null) {
          window.opens();
        }
        long from = System.nanoTime();
        warmedUp = Duration.ofNanos(from - started);
        end.compareAndSet(Long.MAX_VALUE, from + duration.toNanos());
        measureFrom.set(from);
      } finally {
        // Whatever went wrong above (a relay's metrics unreadable), the callers stop.
        end.compareAndSet(Long.MAX_VALUE, System.nanoTime());
      }
    }
    if (window != null) {
      window.closes();
    }
    // A caller that failed would only show as a lower rate: the run fails instead, with the cause.
    for (Future<?> loop : loops) {
      if (loop.state() == Future.State.FAILED) {
        throw new RelayException(
            "a bench caller failed: " + RelayException.rootMessage(loop.exceptionNow()),
            loop.exceptionNow());
      }
    }
    measuredCalls = measured.get();
    return this;
  }

  /** The calls that started and ended inside the measured duration. */
  long measuredCalls() {
    return measuredCalls;
  }

  /** How long the load ran before the measured duration opened. */
  Duration warmedUp() {
    return warmedUp;
  }

  double callsPerSecond() {
    return measuredCalls / (duration.toNanos() / 1e9);
  }

  Histogram latencies() {
    return nanos;
  }

  /** The p-th percentile (0 to 100) of {@code nanos}, in milliseconds. */
  static double millis(Histogram nanos, double percentile) {
    return BenchResults.round(nanos.getValueAtPercentile(percentile) / 1e6);
  }
}
