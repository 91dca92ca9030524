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
 * calls that start and end inside the measured duration count.
 */
final class ClosedLoad {
  /** One call of caller-chosen number {@code i}. */
  @FunctionalInterface
  interface Call {
    void once(long i) throws Exception;
  }

  private final Duration warmup;
  private final Duration duration;
  private final Histogram nanos = newHistogram();
  private double callsPerSecond;
  private long calls;

  ClosedLoad(Duration warmup, Duration duration) {
    this.warmup = warmup;
    this.duration = duration;
  }

  /** Latencies in nanoseconds, from many threads; three significant digits. */
  static Histogram newHistogram() {
    return new ConcurrentHistogram(3);
  }

  ClosedLoad run(int callers, Call call) {
    AtomicLong measured = new AtomicLong();
    AtomicLong all = new AtomicLong();
    long warmupEnd = System.nanoTime() + warmup.toNanos();
    long end = warmupEnd + duration.toNanos();
    List<Future<?>> loops = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < callers; c++) {
        int caller = c;
        loops.add(
            threads.submit(
                () -> {
                  for (long i = caller; ; i += callers) {
                    long start = System.nanoTime();
                    if (start >= end) {
                      return null;
                    }
                    call.once(i);
                    long done = System.nanoTime();
                    all.incrementAndGet();
                    if (start >= warmupEnd && done <= end) {
                      nanos.recordValue(done - start);
                      measured.incrementAndGet();
                    }
                  }
                }));
      }
    }
    // A caller that failed would only show as a lower rate: the run fails instead, with the cause.
    for (Future<?> loop : loops) {
      if (loop.state() == Future.State.FAILED) {
        throw new RelayException(
            "a bench caller failed: " + RelayException.rootMessage(loop.exceptionNow()),
            loop.exceptionNow());
      }
    }
    callsPerSecond = measured.get() / (duration.toNanos() / 1e9);
    calls = all.get();
    return this;
  }

  /** Every call made, the warm-up's included. */
  long calls() {
    return calls;
  }

  double callsPerSecond() {
    return callsPerSecond;
  }

  Histogram latencies() {
    return nanos;
  }

  /** The p-th percentile (0 to 100) of {@code nanos}, in milliseconds. */
  static double millis(Histogram nanos, double percentile) {
    return BenchResults.round(nanos.getValueAtPercentile(percentile) / 1e6);
  }
}
