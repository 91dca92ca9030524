package ccx.hooks.bench;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.wire.HookJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A backlog put straight into the outbox, as an outage of the integrator leaves it, and delivered
 * by relays that were idle until then; the drain and backlog scenarios both measure one. Time runs
 * from the integrator's first receipt to its last, so the relays' poll interval does not count.
 */
final class BacklogDrain {
  /** A drain that delivers nothing for this long has stopped: the run fails instead of hanging. */
  private static final Duration STALL_LIMIT = Duration.ofSeconds(60);

  /** What one drain measured. */
  record Drained(
      int rows,
      long deliveries,
      double seconds,
      List<Double> tenthsRps,
      ClaimHistogram claims,
      Duration relayCpu) {
    /** Per second; a backlog of one row has no span, and is counted as one millisecond. */
    double rps() {
      return deliveries / Math.max(seconds, 0.001);
    }

    /** The relays' CPU time from the load to the last row recorded, per delivery. */
    double relayCpuUsPerDelivery() {
      return BenchResults.cpuMicrosPer(relayCpu, deliveries);
    }
  }

  private BacklogDrain() {}

  static Drained drain(
      String scenario,
      List<RelayProcess> relays,
      BenchIntegrator integrator,
      OutboxRepository outbox,
      int rows,
      int clusters,
      int stuckRows,
      PrintWriter progress) {
    long[] marks = tenths(rows);
    integrator.resetPosts(marks);
    ClaimHistogram before = scrape(relays);
    Duration cpuBefore = cpuTime(relays);
    String payload = HookJson.body(Requests.postAddNode("backlog", 0));
    if (stuckRows > 0) {
      outbox.insertStuckCluster(stuckRows, Hook.POST_ADD_NODE, payload);
      progress.printf(
          Locale.ROOT,
          "%s: one cluster of %d rows whose head waits out a one-hour backoff%n",
          scenario,
          stuckRows);
    }
    int loaded = outbox.insertBacklog(rows, clusters, Hook.POST_ADD_NODE, payload);
    progress.printf(
        Locale.ROOT, "%s: %d rows over %d clusters loaded, draining%n", scenario, loaded, clusters);
    awaitReceipts(scenario, integrator, marks, loaded, progress);
    awaitRecorded(scenario, outbox, stuckRows);
    ClaimHistogram claims = scrape(relays).since(before);
    Duration relayCpu = cpuTime(relays).minus(cpuBefore);
    long first = integrator.firstPostNanos();
    return new Drained(
        loaded,
        integrator.posts(),
        integrator.postSpanSeconds(),
        rates(marks, integrator.markedNanos(), first),
        claims,
        relayCpu);
  }

  /** The receipt counts that end each tenth of {@code rows}. */
  static long[] tenths(int rows) {
    long[] marks = new long[10];
    for (int k = 0; k < 10; k++) {
      marks[k] = Math.max(1, (long) Math.ceil(rows * (k + 1) / 10.0));
    }
    return marks;
  }

  /** Deliveries per second between consecutive marks; the first tenth starts at receipt 1. */
  static List<Double> rates(long[] marks, long[] markedNanos, long firstNanos) {
    Double[] rps = new Double[marks.length];
    long count = 1;
    long at = firstNanos;
    for (int k = 0; k < marks.length; k++) {
      double seconds = Math.max(1, markedNanos[k] - at) / 1e9;
      rps[k] = BenchResults.round((marks[k] - count) / seconds);
      count = marks[k];
      at = markedNanos[k];
    }
    return List.of(rps);
  }

  private static Duration cpuTime(List<RelayProcess> relays) {
    return relays.stream().map(RelayProcess::cpuTime).reduce(Duration.ZERO, Duration::plus);
  }

  private static ClaimHistogram scrape(List<RelayProcess> relays) {
    return ClaimHistogram.sum(relays.stream().map(r -> ClaimHistogram.parse(r.metrics())).toList());
  }

  private static void awaitReceipts(
      String scenario, BenchIntegrator integrator, long[] marks, int rows, PrintWriter progress) {
    long seen = 0;
    long lastProgress = System.nanoTime();
    int reported = 0;
    while (integrator.posts() < rows) {
      RelayProcess.sleep(Duration.ofMillis(100));
      long posts = integrator.posts();
      if (posts > seen) {
        seen = posts;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > STALL_LIMIT.toNanos()) {
        throw new RelayException(
            String.format(
                Locale.ROOT,
                "%s: %d of %d rows delivered, then none for %ds; see the relay log",
                scenario,
                posts,
                rows,
                STALL_LIMIT.toSeconds()));
      }
      while (reported < marks.length && posts >= marks[reported]) {
        reported++;
        progress.printf(Locale.ROOT, "%s: %d%% delivered%n", scenario, reported * 10);
      }
    }
  }

  /** Receipts come before the relays record them; the run ends when every row is recorded. */
  private static void awaitRecorded(String scenario, OutboxRepository outbox, int stuckRows) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long unfinished;
    while ((unfinished = outbox.countUnfinished() - stuckRows) > 0
        && System.nanoTime() < deadline) {
      RelayProcess.sleep(Duration.ofMillis(200));
    }
    if (unfinished > 0) {
      throw new RelayException(
          scenario + ": " + unfinished + " rows were still not recorded as delivered after 30s");
    }
  }
}
