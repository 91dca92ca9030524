package ccx.hooks.bench;

import ccx.hooks.RelayException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.wire.HookJson;
import com.google.gson.JsonObject;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The benchmark: a relay in a child process, a fast integrator and load generators in this one, all
 * on this machine, through four scenarios (pre-hooks, intake, drain, end to end).
 */
public final class Bench {
  static final int PREHOOK_CONCURRENCY = 16;
  static final int INGEST_CONCURRENCY = 64;
  static final int CLUSTERS = 1000;

  private final BenchOptions options;
  private final PrintWriter progress;

  public Bench(BenchOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Runs every scenario and returns the results, shaped as {@code bench --json} prints them. */
  public JsonObject run() {
    String database = "ccx_hook_bench_" + UUID.randomUUID().toString().substring(0, 8);
    createDatabase(database);
    DatabaseUrl url = options.server().withDatabase(database);
    long peakRss = 0;
    try (BenchIntegrator integrator = new BenchIntegrator()) {
      JsonObject result = new JsonObject();
      Latencies relayPre;
      Latencies directPre;
      Latencies e2e;
      try (RelayProcess intake = startRelay(integrator, url, List.of("--drain-concurrency", "0"))) {
        progress.println(
            "warm-up: "
                + seconds(options.relayWarmup())
                + " of pre- and post-hooks, so the relay's JIT has compiled its hot paths");
        warmUp(intake);
        progress.println(
            "prehook: "
                + PREHOOK_CONCURRENCY
                + " callers, "
                + seconds(options.duration())
                + " through the relay, then direct");
        relayPre = new Latencies();
        double relayRps = prehooksThroughRelay(intake, relayPre);
        directPre = new Latencies();
        double directRps = prehooksDirect(integrator, directPre);
        JsonObject prehook = new JsonObject();
        prehook.addProperty("relay_rps", round(relayRps));
        prehook.addProperty("direct_rps", round(directRps));
        prehook.addProperty("p50_ms", round(relayPre.percentileMillis(50)));
        prehook.addProperty("p99_ms", round(relayPre.percentileMillis(99)));
        prehook.addProperty("direct_p50_ms", round(directPre.percentileMillis(50)));
        prehook.addProperty("direct_p99_ms", round(directPre.percentileMillis(99)));
        prehook.addProperty("concurrency", PREHOOK_CONCURRENCY);
        result.add("prehook", prehook);

        progress.println(
            "ingest: "
                + INGEST_CONCURRENCY
                + " callers, single-row INSERT baseline, then post-hooks through the relay (not draining)");
        result.add("ingest", ingest(url, intake));
        peakRss = intake.peakRssMb();
      }

      int backlog = freshBacklog(url);
      progress.println("drain: " + backlog + " rows to the integrator");
      integrator.resetPosts();
      try (RelayProcess relay = startRelay(integrator, url, options.relayOptions())) {
        result.add("drain", drain(integrator, url, backlog));
        progress.println(
            "e2e: "
                + options.e2eRate()
                + " post-hooks/s offered for "
                + seconds(options.duration()));
        e2e = new Latencies();
        result.add("e2e", endToEnd(integrator, relay, e2e));
        peakRss = Math.max(peakRss, relay.peakRssMb());
      }
      result.addProperty("rss_mb", peakRss);
      JsonObject machine = new JsonObject();
      machine.addProperty("cores", Runtime.getRuntime().availableProcessors());
      machine.addProperty("duration_s", options.duration().toMillis() / 1000.0);
      machine.addProperty("relay_jvm_options", String.join(" ", options.relayJvmOptions()));
      result.add("setup", machine);
      if (options.plot().isPresent()) {
        LatencyPlot.write(
            options.plot().get(),
            Map.of(
                "pre-hook through the relay",
                relayPre,
                "pre-hook direct",
                directPre,
                "post-hook end to end",
                e2e));
      }
      return result;
    } finally {
      if (!options.keepDatabase()) {
        dropDatabase(database);
      }
    }
  }

  private RelayProcess startRelay(
      BenchIntegrator integrator, DatabaseUrl url, List<String> relayOptions) {
    return RelayProcess.start(
        integrator.url(),
        url,
        options.workDir().resolve("bench-relay.log"),
        options.relayJvmOptions(),
        relayOptions);
  }

  private static ManagedChannel channel(RelayProcess relay) {
    Metadata bearer = new Metadata();
    bearer.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + RelayProcess.CLIENT_TOKEN);
    return Grpc.newChannelBuilder(
            "127.0.0.1:" + relay.grpcPort(), InsecureChannelCredentials.create())
        .intercept(MetadataUtils.newAttachHeadersInterceptor(bearer))
        .build();
  }

  private static PreAddNodeRequest preAddNode(long i) {
    return PreAddNodeRequest.newBuilder()
        .setClusterId("c" + (i % CLUSTERS))
        .setCloud("aws")
        .setNodeCount(1)
        .setInstanceType("m5.large")
        .setAuthId("bench-session")
        .build();
  }

  private static PostAddNodeRequest postAddNode(String workId, long i) {
    return PostAddNodeRequest.newBuilder()
        .setClusterId("c" + (i % CLUSTERS))
        .setCloud("aws")
        .setNodeCount(1)
        .setInstanceType("m5.large")
        .addNodeIds("n" + i)
        .setWorkId(workId)
        .build();
  }

  /**
   * Runs {@code callers} loops for the warm-up and then the measured duration; returns calls per
   * second measured.
   */
  private double load(int callers, Latencies latencies, CallLoop call) {
    AtomicLong measured = new AtomicLong();
    long warmupEnd = System.nanoTime() + options.warmup().toNanos();
    long end = warmupEnd + options.duration().toNanos();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < callers; c++) {
        int caller = c;
        threads.submit(
            () -> {
              long i = caller;
              while (true) {
                long start = System.nanoTime();
                if (start >= end) {
                  return null;
                }
                call.once(i);
                long done = System.nanoTime();
                if (start >= warmupEnd && done <= end) {
                  latencies.add(done - start);
                  measured.incrementAndGet();
                }
                i += callers;
              }
            });
      }
    }
    return measured.get() / (options.duration().toNanos() / 1e9);
  }

  @FunctionalInterface
  private interface CallLoop {
    void once(long i) throws Exception;
  }

  /** Pre- and post-hooks at full speed for a while; nothing is measured. */
  private void warmUp(RelayProcess relay) {
    ManagedChannel channel = channel(relay);
    long end = System.nanoTime() + options.relayWarmup().toNanos();
    String run = UUID.randomUUID().toString().substring(0, 8);
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      HookServiceGrpc.HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      for (int c = 0; c < PREHOOK_CONCURRENCY; c++) {
        int caller = c;
        callers.submit(
            () -> {
              for (long i = caller; System.nanoTime() < end; i += PREHOOK_CONCURRENCY) {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).preAddNode(preAddNode(i));
                stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .postAddNode(postAddNode("warmup-" + run + "-" + i, i));
              }
              return null;
            });
      }
    } finally {
      channel.shutdownNow();
    }
  }

  private double prehooksThroughRelay(RelayProcess relay, Latencies latencies) {
    ManagedChannel channel = channel(relay);
    try {
      HookServiceGrpc.HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      return load(
          PREHOOK_CONCURRENCY,
          latencies,
          i -> {
            if (!stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .preAddNode(preAddNode(i))
                .getApproved()) {
              throw new RelayException("the bench integrator did not approve");
            }
          });
    } finally {
      channel.shutdownNow();
    }
  }

  private double prehooksDirect(BenchIntegrator integrator, Latencies latencies) {
    OkHttpClient http = new OkHttpClient.Builder().build();
    http.dispatcher().setMaxRequestsPerHost(PREHOOK_CONCURRENCY * 2);
    MediaType json = MediaType.get("application/json");
    String url = integrator.url() + "/pre-add-node";
    try {
      return load(
          PREHOOK_CONCURRENCY,
          latencies,
          i -> {
            byte[] body = HookJson.body(preAddNode(i)).getBytes(StandardCharsets.UTF_8);
            try (Response response =
                http.newCall(
                        new Request.Builder().url(url).post(RequestBody.create(body, json)).build())
                    .execute()) {
              response.body().string();
            }
          });
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private JsonObject ingest(DatabaseUrl url, RelayProcess relay) {
    double baseline = baselineInserts(url);
    long before = count(url, "SELECT count(*) FROM hook_outbox");
    AtomicLong acknowledged = new AtomicLong();
    ManagedChannel channel = channel(relay);
    double rps;
    try {
      HookServiceGrpc.HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      String run = UUID.randomUUID().toString().substring(0, 8);
      rps =
          load(
              INGEST_CONCURRENCY,
              new Latencies(),
              i -> {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .postAddNode(postAddNode("ingest-" + run + "-" + i, i));
                acknowledged.incrementAndGet();
              });
    } finally {
      channel.shutdownNow();
    }
    long stored = count(url, "SELECT count(*) FROM hook_outbox") - before;
    if (stored != acknowledged.get()) {
      throw new RelayException(
          "the relay acknowledged "
              + acknowledged.get()
              + " post-hooks but "
              + stored
              + " rows are stored");
    }
    JsonObject ingest = new JsonObject();
    ingest.addProperty("rps", round(rps));
    ingest.addProperty("baseline_rps", round(baseline));
    ingest.addProperty("concurrency", INGEST_CONCURRENCY);
    ingest.addProperty("seconds", options.duration().toMillis() / 1000.0);
    ingest.addProperty("acknowledged", acknowledged.get());
    ingest.addProperty("rows_stored", stored);
    return ingest;
  }

  /**
   * Single-row INSERT transactions over JDBC, one connection per caller: the database's own pace.
   */
  private double baselineInserts(DatabaseUrl url) {
    execute(url, "CREATE TABLE IF NOT EXISTS bench_baseline (LIKE hook_outbox INCLUDING ALL)");
    Map<Long, Connection> connections = new ConcurrentHashMap<>();
    String payload = HookJson.body(postAddNode("baseline", 0));
    try {
      return load(
          INGEST_CONCURRENCY,
          new Latencies(),
          i -> {
            Connection c =
                connections.computeIfAbsent(Thread.currentThread().threadId(), t -> connect(url));
            try (PreparedStatement insert =
                c.prepareStatement(
                    "INSERT INTO bench_baseline (hook, work_id, cluster_id, payload, webhook_id) VALUES (?, ?, ?, ?::jsonb, ?)")) {
              insert.setString(1, "post-add-node");
              insert.setString(2, "baseline-" + i);
              insert.setString(3, "c" + (i % CLUSTERS));
              insert.setString(4, payload);
              insert.setString(5, "msg_baseline_" + i);
              insert.executeUpdate();
            }
          });
    } finally {
      connections.values().forEach(Bench::closeQuietly);
      execute(url, "DROP TABLE bench_baseline");
    }
  }

  /**
   * A fresh backlog of exactly --drain-rows rows over {@link #CLUSTERS} clusters, as an outage of
   * the integrator would leave it (the intake rows were counted already, and are set aside so the
   * drain's duration does not depend on how fast intake was).
   */
  private int freshBacklog(DatabaseUrl url) {
    String payload = HookJson.body(postAddNode("fill", 0)).replace("'", "''");
    execute(url, "TRUNCATE hook_outbox, hook_delivery_attempt");
    execute(
        url,
        "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id) SELECT 'post-add-node', 'fill-' || g, 'c' || (g % "
            + CLUSTERS
            + "), '"
            + payload
            + "'::jsonb, 'msg_fill_' || g FROM generate_series(1, "
            + options.drainRows()
            + ") g");
    execute(url, "VACUUM ANALYZE hook_outbox");
    return (int) count(url, "SELECT count(*) FROM hook_outbox WHERE status = 'pending'");
  }

  private JsonObject drain(BenchIntegrator integrator, DatabaseUrl url, int backlog) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (integrator.posts() < backlog && System.nanoTime() < deadline) {
      RelayProcess.sleep(Duration.ofMillis(100));
    }
    while (count(url, "SELECT count(*) FROM hook_outbox WHERE status <> 'delivered'") > 0
        && System.nanoTime() < deadline) {
      RelayProcess.sleep(Duration.ofMillis(100));
    }
    long undelivered = count(url, "SELECT count(*) FROM hook_outbox WHERE status <> 'delivered'");
    if (undelivered > 0) {
      throw new RelayException(undelivered + " rows were still not delivered after 3 minutes");
    }
    JsonObject drain = new JsonObject();
    drain.addProperty("rps", round(integrator.posts() / integrator.postSpanSeconds()));
    drain.addProperty("rows", backlog);
    drain.addProperty("deliveries", integrator.posts());
    drain.addProperty("seconds", round(integrator.postSpanSeconds()));
    return drain;
  }

  /**
   * An open-loop load at the offered rate; latency from each RPC's answer to the integrator's
   * receipt.
   */
  private JsonObject endToEnd(BenchIntegrator integrator, RelayProcess relay, Latencies latencies) {
    integrator.noteArrivals(true);
    ManagedChannel channel = channel(relay);
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    long intervalNanos = 1_000_000_000L / options.e2eRate();
    long total = options.duration().toNanos() / intervalNanos;
    String run = UUID.randomUUID().toString().substring(0, 8);
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      HookServiceGrpc.HookServiceBlockingStub stub = HookServiceGrpc.newBlockingStub(channel);
      long start = System.nanoTime();
      for (long i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        long n = i;
        callers.submit(
            () -> {
              String workId = "e2e-" + run + "-" + n;
              stub.withDeadlineAfter(10, TimeUnit.SECONDS).postAddNode(postAddNode(workId, n));
              acknowledged.put(workId, System.nanoTime());
            });
      }
    } finally {
      channel.shutdownNow();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int missing = acknowledged.size();
    while (missing > 0 && System.nanoTime() < deadline) {
      missing =
          (int)
              acknowledged.keySet().stream()
                  .filter(w -> integrator.arrivalNanos(w) == null)
                  .count();
      RelayProcess.sleep(Duration.ofMillis(200));
    }
    acknowledged.forEach(
        (workId, ackNanos) -> {
          Long arrival = integrator.arrivalNanos(workId);
          if (arrival != null) {
            latencies.add(Math.max(0, arrival - ackNanos));
          }
        });
    integrator.noteArrivals(false);
    JsonObject e2e = new JsonObject();
    e2e.addProperty("rate", round(acknowledged.size() / (options.duration().toNanos() / 1e9)));
    e2e.addProperty("offered_rate", options.e2eRate());
    e2e.addProperty("p50_ms", round(latencies.percentileMillis(50)));
    e2e.addProperty("p99_ms", round(latencies.percentileMillis(99)));
    e2e.addProperty("undelivered", missing);
    return e2e;
  }

  private void createDatabase(String name) {
    try (Connection c = connect(options.server());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new RelayException(
          "bench needs to create a database on "
              + options.server().display()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private void dropDatabase(String name) {
    try (Connection c = connect(options.server());
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      progress.println("could not drop the bench database " + name + ": " + e.getMessage());
    }
  }

  private static Connection connect(DatabaseUrl url) {
    try {
      return url.connect(Map.of());
    } catch (SQLException e) {
      throw new RelayException("cannot connect to " + url.display() + ": " + e.getMessage(), e);
    }
  }

  private static long count(DatabaseUrl url, String sql) {
    try (Connection c = connect(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new RelayException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void execute(DatabaseUrl url, String sql) {
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new RelayException(e.getMessage(), e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // The bench is over for this connection either way.
    }
  }

  static double round(double value) {
    return Double.isNaN(value) ? value : Math.round(value * 100) / 100.0;
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.0fs", d.toMillis() / 1000.0);
  }
}
