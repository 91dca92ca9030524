package ccx.hooks.bench;

import java.util.Arrays;

/** Latencies recorded by many threads; percentiles once recording is over. */
final class Latencies {
  private long[] nanos = new long[1 << 16];
  private int size;

  synchronized void add(long latencyNanos) {
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, size * 2);
    }
    nanos[size++] = latencyNanos;
  }

  synchronized int count() {
    return size;
  }

  /** The latencies in ascending order, in milliseconds. */
  synchronized double[] sortedMillis() {
    long[] copy = Arrays.copyOf(nanos, size);
    Arrays.sort(copy);
    return Arrays.stream(copy).mapToDouble(n -> n / 1e6).toArray();
  }

  /** The p-th percentile (0 to 100) in milliseconds; NaN when nothing was recorded. */
  double percentileMillis(double p) {
    double[] sorted = sortedMillis();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
