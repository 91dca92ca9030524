package ccx.hooks.bench;

import ccx.hooks.core.RelayException;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.wire.CallDeadlines;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookJson;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.HdrHistogram.Histogram;

/** The scenarios run against an intake-only relay: pre-hooks, and post-hooks stored. */
final class IntakeScenarios {
  static final int PREHOOK_CONCURRENCY = 16;
  static final int INGEST_CONCURRENCY = 64;

  /** A call that takes longer fails the run: the relayed calls' gRPC deadline, and the direct's. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final BenchOptions options;
  private final RelayProcess relay;
  private final BenchIntegrator integrator;
  private final Map<String, Histogram> plotted;

  /**
   * @param plotted where the latency distributions go, by name, for {@code --plot}
   */
  IntakeScenarios(
      BenchOptions options,
      RelayProcess relay,
      BenchIntegrator integrator,
      Map<String, Histogram> plotted) {
    this.options = options;
    this.relay = relay;
    this.integrator = integrator;
    this.plotted = plotted;
  }

  /** Pre- and post-hooks at full speed for a while, so the relay's JIT compiles its hot paths. */
  void warmUp(Duration length) {
    long end = System.nanoTime() + length.toNanos();
    String run = UUID.randomUUID().toString().substring(0, 8);
    ManagedChannel channel = Requests.channel(relay);
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      for (int c = 0; c < PREHOOK_CONCURRENCY; c++) {
        int caller = c;
        callers.submit(
            () -> {
              for (long i = caller; System.nanoTime() < end; i += PREHOOK_CONCURRENCY) {
                deadline(stub).preAddNode(Requests.preAddNode(i));
                deadline(stub).postAddNode(Requests.postAddNode("warmup-" + run + "-" + i, i));
              }
              return null;
            });
      }
    } finally {
      channel.shutdownNow();
    }
  }

  BenchResults.Prehook prehook() {
    RelayCost cost = new RelayCost(relay);
    ClosedLoad relayed = newLoad().watchedBy(cost);
    ManagedChannel channel = Requests.channel(relay);
    try {
      HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      relayed.run(
          PREHOOK_CONCURRENCY,
          i -> {
            if (!deadline(stub).preAddNode(Requests.preAddNode(i)).getApproved()) {
              throw new RelayException("the bench integrator did not approve");
            }
          });
    } finally {
      channel.shutdownNow();
    }
    ClosedLoad direct = directPrehooks();
    plotted.put("pre-hook through the relay", relayed.latencies());
    plotted.put("pre-hook direct", direct.latencies());
    return new BenchResults.Prehook(
        BenchResults.round(relayed.callsPerSecond()),
        BenchResults.round(direct.callsPerSecond()),
        ClosedLoad.millis(relayed.latencies(), 50),
        ClosedLoad.millis(relayed.latencies(), 99),
        ClosedLoad.millis(direct.latencies(), 50),
        ClosedLoad.millis(direct.latencies(), 99),
        PREHOOK_CONCURRENCY,
        BenchResults.cpuMicrosPer(cost.cpu(), relayed.measuredCalls()),
        BenchResults.round(relayed.warmedUp().toMillis() / 1000.0),
        cost.jitMillis());
  }

  /**
   * The same HTTP request the relay sends, sent by the bench itself with the relay's client
   * settings (its pool, no OkHttp timeouts) and, as the relay's, watched by {@link CallDeadlines}.
   * Until the eighth session the direct calls used OkHttp's defaults, whose pool keeps 5 idle
   * connections: with 16 callers it closed and opened about 60 a second, and the relay's does not
   * (docs/BENCHMARKS.md).
   */
  private ClosedLoad directPrehooks() {
    OkHttpClient http = HookHttpClient.defaultHttpClient();
    MediaType json = MediaType.get("application/json");
    String url = integrator.url() + "/pre-add-node";
    try {
      return newLoad()
          .run(
              PREHOOK_CONCURRENCY,
              i -> {
                byte[] body =
                    HookJson.body(Requests.preAddNode(i)).getBytes(StandardCharsets.UTF_8);
                Request request =
                    new Request.Builder().url(url).post(RequestBody.create(body, json)).build();
                Call call = http.newCall(request);
                try (CallDeadlines.Watch watch = CallDeadlines.watch(call, CALL_TIMEOUT)) {
                  try (Response response = call.execute()) {
                    response.body().string();
                  } catch (IOException e) {
                    if (watch.expired()) {
                      throw new RelayException(
                          "a direct pre-hook had no answer within "
                              + CALL_TIMEOUT.toSeconds()
                              + " s",
                          e);
                    }
                    throw e;
                  }
                }
              });
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /**
   * Post-hooks stored per second, checked against the rows: a relay that acknowledged a call
   * without storing its row fails the run.
   */
  BenchResults.Ingest ingest(BenchDatabase database) {
    double baseline = BaselineTable.insertsPerSecond(database.url(), newLoad(), INGEST_CONCURRENCY);
    OutboxRepository outbox = database.outbox();
    long before = outbox.countStored();
    AtomicLong acknowledged = new AtomicLong();
    RelayCost cost = new RelayCost(relay);
    ClosedLoad load = newLoad().watchedBy(cost);
    ManagedChannel channel = Requests.channel(relay);
    try {
      HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      String run = UUID.randomUUID().toString().substring(0, 8);
      load.run(
          INGEST_CONCURRENCY,
          i -> {
            deadline(stub).postAddNode(Requests.postAddNode("ingest-" + run + "-" + i, i));
            acknowledged.incrementAndGet();
          });
    } finally {
      channel.shutdownNow();
    }
    long stored = outbox.countStored() - before;
    if (stored != acknowledged.get()) {
      throw new RelayException(
          "the relay acknowledged "
              + acknowledged.get()
              + " post-hooks but "
              + stored
              + " rows are stored");
    }
    return new BenchResults.Ingest(
        BenchResults.round(load.callsPerSecond()),
        BenchResults.round(baseline),
        INGEST_CONCURRENCY,
        options.duration().toMillis() / 1000.0,
        acknowledged.get(),
        stored,
        BenchResults.round(load.warmedUp().toMillis() / 1000.0),
        cost.jitMillis());
  }

  /**
   * A load that, after its warm-up, waits for the relay's JIT and the bench's own to be quiet
   * before it measures: the relayed and the direct runs alike.
   */
  private ClosedLoad newLoad() {
    return new ClosedLoad(options.warmup(), options.duration())
        .untilQuiet(JitActivity.of(List.of(relay)), options.longestJitWait());
  }

  private static HookServiceBlockingStub deadline(HookServiceBlockingStub stub) {
    return stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
