package ccx.hooks.bench;

import ccx.hooks.v1.HookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load at the offered rate (calls start on schedule, whether or not earlier ones have
 * answered); latency from each RPC's answer to the integrator's receipt of its hook.
 *
 * <p>The same load runs first, unmeasured, for as long as the intake relay's warm-up ({@link
 * BenchOptions#relayWarmup}: 20 s at the default duration), and the measured calls start once every
 * warm-up hook has arrived: the draining relay has taken no post-hook call before, and while the
 * JIT compiles its intake path (and the bench's client) the two cores are short for everything
 * else. After a 3 s warm-up, the compiler thread still took a third of a core through the measured
 * seconds, and the queue it left behind was measured as the relay's steady state (BENCHMARKS.md,
 * 2026-12-07).
 *
 * <p>A call that fails is counted by its status, never dropped from the figures unseen: the rate is
 * what the relay acknowledged, and a failed call has no latency to measure.
 */
final class EndToEnd {
  private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(30);

  private final BenchOptions options;
  private final BenchIntegrator integrator;
  private final HookServiceGrpc.HookServiceBlockingStub stub;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  private EndToEnd(
      BenchOptions options,
      BenchIntegrator integrator,
      HookServiceGrpc.HookServiceBlockingStub stub) {
    this.options = options;
    this.integrator = integrator;
    this.stub = stub;
  }

  static BenchResults.EndToEnd run(
      BenchOptions options,
      RelayProcess relay,
      BenchIntegrator integrator,
      Map<String, Histogram> plotted,
      PrintWriter progress) {
    integrator.noteArrivals(true);
    ManagedChannel channel = Requests.channel(relay);
    try {
      EndToEnd load = new EndToEnd(options, integrator, HookServiceGrpc.newBlockingStub(channel));
      Offered warmup = load.offer("e2e-warmup", options.relayWarmup());
      long notArrived = load.awaitArrivals(warmup.acknowledged());
      if (notArrived > 0 || !warmup.failed().isEmpty()) {
        progress.printf(
            Locale.ROOT,
            "e2e warm-up: %d of %d calls failed %s, %d hooks not delivered within %s;"
                + " measuring anyway%n",
            warmup.calls() - warmup.acknowledged().size(),
            warmup.calls(),
            warmup.failedByStatus(),
            notArrived,
            ARRIVAL_WAIT);
      }
      Offered measured = load.offer("e2e", options.duration());
      long missing = load.awaitArrivals(measured.acknowledged());
      Histogram latencies = ClosedLoad.newHistogram();
      measured
          .acknowledged()
          .forEach(
              (workId, ackNanos) -> {
                Long arrival = integrator.arrivalNanos(workId);
                if (arrival != null) {
                  latencies.recordValue(Math.max(0, arrival - ackNanos));
                }
              });
      plotted.put("post-hook end to end", latencies);
      return new BenchResults.EndToEnd(
          BenchResults.round(measured.acknowledged().size() / (options.duration().toNanos() / 1e9)),
          options.e2eRate(),
          ClosedLoad.millis(latencies, 50),
          ClosedLoad.millis(latencies, 99),
          missing,
          measured.calls(),
          measured.acknowledged().size(),
          measured.failedByStatus());
    } finally {
      integrator.noteArrivals(false);
      channel.shutdownNow();
    }
  }

  /** The calls of one phase: when each acknowledged one was answered, and the failures. */
  private record Offered(
      long calls, Map<String, Long> acknowledged, Map<Status.Code, LongAdder> failed) {
    SortedMap<String, Long> failedByStatus() {
      SortedMap<String, Long> counts = new TreeMap<>();
      failed.forEach((code, count) -> counts.put(code.name(), count.sum()));
      return counts;
    }
  }

  /** Offers post-hooks at the offered rate for {@code length}; returns once all have answered. */
  private Offered offer(String prefix, Duration length) {
    long intervalNanos = 1_000_000_000L / options.e2eRate();
    long calls = length.toNanos() / intervalNanos;
    Offered offered = new Offered(calls, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      long start = System.nanoTime();
      for (long i = 0; i < calls; i++) {
        long wait = start + i * intervalNanos - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        long n = i;
        callers.submit(
            () -> {
              String workId = prefix + "-" + run + "-" + n;
              try {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .postAddNode(Requests.postAddNode(workId, n));
                offered.acknowledged().put(workId, System.nanoTime());
              } catch (RuntimeException e) {
                offered
                    .failed()
                    .computeIfAbsent(Status.fromThrowable(e).getCode(), c -> new LongAdder())
                    .increment();
              }
            });
      }
    }
    return offered;
  }

  /** Waits up to {@link #ARRIVAL_WAIT} for these hooks to reach the integrator; the missing. */
  private long awaitArrivals(Map<String, Long> acknowledged) {
    long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
    long missing = acknowledged.size();
    while (missing > 0 && System.nanoTime() < deadline) {
      missing =
          acknowledged.keySet().stream().filter(w -> integrator.arrivalNanos(w) == null).count();
      if (missing > 0) {
        RelayProcess.sleep(Duration.ofMillis(200));
      }
    }
    return missing;
  }
}
