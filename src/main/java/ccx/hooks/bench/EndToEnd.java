package ccx.hooks.bench;

import ccx.hooks.v1.HookServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
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
 * answered); latency from each RPC's answer to the integrator's receipt of its hook. The load runs
 * for the warm-up first, unmeasured: the draining relay has not taken a post-hook call before, and
 * a JIT compiling its intake path (and the bench's client) in the first seconds would otherwise
 * pile up calls that the rest of the run spends recovering from. A call the relay refuses is
 * counted by its status, never dropped from the figures unseen: the rate is what the relay
 * acknowledged, and a refused call has no latency to measure.
 */
final class EndToEnd {
  private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(30);

  private EndToEnd() {}

  static BenchResults.EndToEnd run(
      BenchOptions options,
      RelayProcess relay,
      BenchIntegrator integrator,
      Map<String, Histogram> plotted) {
    integrator.noteArrivals(true);
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    Map<Status.Code, LongAdder> refused = new ConcurrentHashMap<>();
    long intervalNanos = 1_000_000_000L / options.e2eRate();
    long warmupCalls = options.warmup().toNanos() / intervalNanos;
    long measuredCalls = options.duration().toNanos() / intervalNanos;
    long total = warmupCalls + measuredCalls;
    String run = UUID.randomUUID().toString().substring(0, 8);
    ManagedChannel channel = Requests.channel(relay);
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      HookServiceGrpc.HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      long start = System.nanoTime();
      for (long i = 0; i < total; i++) {
        long wait = start + i * intervalNanos - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        long n = i;
        boolean measured = i >= warmupCalls;
        callers.submit(
            () -> {
              String workId = (measured ? "e2e-" : "e2e-warmup-") + run + "-" + n;
              try {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .postAddNode(Requests.postAddNode(workId, n));
                if (measured) {
                  acknowledged.put(workId, System.nanoTime());
                }
              } catch (RuntimeException e) {
                if (measured) {
                  refused
                      .computeIfAbsent(Status.fromThrowable(e).getCode(), c -> new LongAdder())
                      .increment();
                }
              }
            });
      }
    } finally {
      channel.shutdownNow();
    }
    long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
    long missing = acknowledged.size();
    while (missing > 0 && System.nanoTime() < deadline) {
      missing =
          acknowledged.keySet().stream().filter(w -> integrator.arrivalNanos(w) == null).count();
      RelayProcess.sleep(Duration.ofMillis(200));
    }
    Histogram latencies = ClosedLoad.newHistogram();
    acknowledged.forEach(
        (workId, ackNanos) -> {
          Long arrival = integrator.arrivalNanos(workId);
          if (arrival != null) {
            latencies.recordValue(Math.max(0, arrival - ackNanos));
          }
        });
    integrator.noteArrivals(false);
    plotted.put("post-hook end to end", latencies);
    return new BenchResults.EndToEnd(
        BenchResults.round(acknowledged.size() / (options.duration().toNanos() / 1e9)),
        options.e2eRate(),
        ClosedLoad.millis(latencies, 50),
        ClosedLoad.millis(latencies, 99),
        missing,
        measuredCalls,
        acknowledged.size(),
        byName(refused));
  }

  private static SortedMap<String, Long> byName(Map<Status.Code, LongAdder> refused) {
    SortedMap<String, Long> counts = new TreeMap<>();
    refused.forEach((code, count) -> counts.put(code.name(), count.sum()));
    return counts;
  }
}
