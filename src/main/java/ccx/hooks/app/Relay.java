package ccx.hooks.app;

import ccx.hooks.admin.AdminServer;
import ccx.hooks.admin.OutboxGauges;
import ccx.hooks.admin.PrometheusRegistry;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.core.RelayException;
import ccx.hooks.core.Version;
import ccx.hooks.db.Database;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.delivery.RetentionSweeper;
import ccx.hooks.grpc.GrpcServer;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTracing;
import io.grpc.ServerCredentials;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of {@code serve}: builds every part with {@code new}, starts them in
 * dependency order and stops them in reverse, so that no call is taken that cannot be completed and
 * no delivery is abandoned without its lease being given back or expiring.
 *
 * <p>Longer than most classes here (about 300 lines) on purpose: the start order, the stop order
 * and readiness are one story that reads best in one file.
 */
public final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  private static final Duration DATABASE_RETRY = Duration.ofSeconds(2);
  private static final Duration READINESS_INTERVAL = Duration.ofSeconds(2);

  /** What /readyz says while the database cannot be reached; the log names the host and cause. */
  private static final String DATABASE_UNREACHABLE = "database unreachable";

  /** How long in-flight gRPC calls may finish after SIGTERM; below Docker's default 10s grace. */
  private static final Duration CALL_GRACE = Duration.ofSeconds(5);

  private final RelayConfig config;
  private final String relayId = newRelayId();
  private final PrometheusMeterRegistry metrics = PrometheusRegistry.create();
  private final ScheduledExecutorService readinessTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("readiness").factory());
  private final Database database;
  private final AdminServer admin;
  private volatile Optional<String> notReady = Optional.of("starting: waiting for the database");
  private volatile boolean stopping;
  private boolean migrationsVerified = true;
  private HookHttpClient http;
  private HookTracing tracing;
  private OutboxWriter writer;
  private OutboxDrainer drainer;
  private RetentionSweeper sweeper;
  private GrpcServer grpc;

  private Relay(RelayConfig config) {
    this.config = config;
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    bindCompilationTime(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new UptimeMetrics().bindTo(metrics);
    this.database = Database.open(config.database(), config.databasePoolSize());
    try {
      this.admin = AdminServer.start(config.adminAddress(), metrics, () -> notReady);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /**
   * Starts the relay: admin HTTP first (so {@code /readyz} can say what it waits for), then the
   * database and its migrations (waiting while PostgreSQL is down), the drainer, and last the gRPC
   * server, so no call is accepted before the outbox can store it.
   */
  public static Relay start(RelayConfig config) {
    Relay relay = new Relay(config);
    try {
      relay.startParts();
      return relay;
    } catch (RuntimeException e) {
      relay.close();
      throw e;
    }
  }

  private void startParts() {
    // Certificates are read first: a wrong path fails the start at once, not after the database.
    ServerCredentials credentials = GrpcServer.credentials(config.tls());
    tracing = HookTracing.fromEnvironment(System.getenv());
    log.info("Traces: {}", tracing.describe());
    if (config.target().sendsSecretsInPlaintext()) {
      log.warn(
          "--hook-url {} is plain http:// but a --hook-token or --signing-secret is set: the token"
              + " crosses the network readable, and signatures prove little; use https://",
          config.target().display());
    }
    awaitDatabase();
    OutboxRepository outbox =
        new OutboxRepository(
            database.dsl(),
            DatabaseClock.system(),
            config.delivery().ordering() == ccx.hooks.config.Ordering.CLUSTER);
    http = HookHttpClient.create(config.target(), EndpointBreakers.create(metrics), tracing);
    OutboxGauges.register(metrics, outbox);
    if (config.delivery().drains()) {
      drainer =
          new OutboxDrainer(
              outbox, http, config.delivery(), relayId, metrics, RandomGenerator.getDefault());
      drainer.start(database.url());
      sweeper = new RetentionSweeper(outbox, config.delivery().retention());
      sweeper.start();
    } else {
      log.info("Intake only (--drain-concurrency 0): this relay stores hooks and delivers none");
    }
    writer = new OutboxWriter(outbox);
    PreHookRelay preHooks = new PreHookRelay(http, config.preHooks(), outbox, metrics);
    grpc =
        GrpcServer.start(
            config.grpcAddress(),
            credentials,
            config.callers(),
            config.limits(),
            metrics,
            preHooks,
            writer,
            tracing);
    notReady = Optional.empty();
    readinessTimer.scheduleWithFixedDelay(
        this::checkReadiness,
        READINESS_INTERVAL.toMillis(),
        READINESS_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    log.info(
        "ccx-hook-service {} ready: gRPC on port {}, admin HTTP on port {}, hooks to {}",
        Version.get(),
        grpc.port(),
        admin.port(),
        config.target().display());
  }

  /** Applies the migrations, retrying while the database cannot be reached. */
  private void awaitDatabase() {
    boolean warned = false;
    while (!stopping) {
      try {
        int applied = database.migrate();
        requireWritable();
        log.info(
            "Database {} ready ({} migration(s) applied now)", database.url().display(), applied);
        return;
      } catch (RuntimeException e) {
        boolean readOnly = e instanceof NotWritableException || Database.readOnly(e);
        String reason =
            "database "
                + database.url().display()
                + (readOnly ? " takes no writes: " : " unreachable: ")
                + RelayException.rootMessage(e);
        // What /readyz shows names no host or driver text; a standby is named as one.
        notReady =
            Optional.of(
                readOnly
                    ? "database takes no writes (a standby, or read-only)"
                    : DATABASE_UNREACHABLE);
        if (!warned) {
          log.warn("{}; retrying every {}s until it answers", reason, DATABASE_RETRY.toSeconds());
          warned = true;
        }
        try {
          Thread.sleep(DATABASE_RETRY);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new RelayException("interrupted while waiting for the database", interrupted);
        }
      }
    }
    throw new RelayException("stopped while waiting for the database");
  }

  private static final class NotWritableException extends RelayException {
    NotWritableException(String message) {
      super(message);
    }
  }

  /** A relay on a standby would take no hook: it waits, not ready, as if the database were down. */
  private void requireWritable() {
    try (Connection c = database.dataSource().getConnection()) {
      Optional<String> readOnly = Database.readOnlyReason(c);
      if (readOnly.isPresent()) {
        throw new NotWritableException(readOnly.get());
      }
    } catch (SQLException e) {
      throw new RelayException(RelayException.rootMessage(e), e);
    }
  }

  /**
   * Ready: the database answers and takes writes (a standby does not), every migration is applied
   * (checked again after each time the database was unreachable: it may come back restored from a
   * backup), and gRPC serves.
   */
  private void checkReadiness() {
    // What /readyz shows, to anyone who reaches the admin port: no host, user or driver message.
    Optional<String> reason;
    // The same with the cause, for the log.
    String detail;
    try (Connection c = database.dataSource().getConnection()) {
      reason =
          c.isValid(1)
              ? Database.readOnlyReason(c)
              : Optional.of("database connection is not valid");
      detail = reason.orElse("");
    } catch (SQLException e) {
      reason = Optional.of(DATABASE_UNREACHABLE);
      detail =
          "database " + database.url().display() + " unreachable: " + RelayException.rootMessage(e);
    }
    if (reason.isPresent()) {
      migrationsVerified = false;
    } else if (!migrationsVerified) {
      try {
        migrationsVerified = database.migrated();
        if (!migrationsVerified) {
          reason =
              Optional.of(
                  "migrations are missing from the database; run: ccx-hook-service migrate");
          detail = reason.get();
        }
      } catch (RuntimeException e) {
        reason = Optional.of("cannot read the migration history");
        detail = reason.get() + ": " + RelayException.rootMessage(e);
      }
    }
    if (reason.isEmpty() && (grpc == null || stopping)) {
      reason = Optional.of("gRPC is not serving");
      detail = reason.get();
    }
    if (!reason.equals(notReady)) {
      if (reason.isPresent()) {
        log.warn("Not ready: {}", detail);
      } else {
        log.info("Ready again");
      }
    }
    notReady = reason;
    if (grpc != null && !stopping) {
      grpc.setServing(reason.isEmpty());
    }
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int adminPort() {
    return admin.port();
  }

  public void blockUntilShutdown() throws InterruptedException {
    grpc.blockUntilShutdown();
  }

  /**
   * Stops in reverse order: no new calls (and those in flight answered), then the drainer
   * (in-flight deliveries finish or are interrupted and retried), then admin and the pool.
   */
  @Override
  public void close() {
    stopping = true;
    notReady = Optional.of("shutting down");
    readinessTimer.shutdownNow();
    if (grpc != null) {
      grpc.stop(CALL_GRACE);
    }
    if (writer != null) {
      writer.close();
    }
    if (drainer != null) {
      drainer.close();
    }
    if (sweeper != null) {
      sweeper.close();
    }
    if (http != null) {
      http.close();
    }
    if (tracing != null) {
      // After the drainer: the spans of the last deliveries are exported too.
      tracing.close();
    }
    admin.close();
    database.close();
    log.info("ccx-hook-service stopped");
  }

  private static String newRelayId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host
        + "-"
        + ManagementFactory.getRuntimeMXBean().getPid()
        + "-"
        + UUID.randomUUID().toString().substring(0, 4);
  }

  /**
   * The JIT's time so far as {@code jvm_compilation_time_seconds_total}: Micrometer's own binder
   * names it in milliseconds ({@code _ms_total}), which promtool's lint rejects.
   */
  private static void bindCompilationTime(MeterRegistry registry) {
    CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    if (compiler != null && compiler.isCompilationTimeMonitoringSupported()) {
      FunctionCounter.builder(
              "jvm.compilation.time", compiler, c -> c.getTotalCompilationTime() / 1000.0)
          .baseUnit("seconds")
          .description("Time the JIT compiler has spent compiling")
          .register(registry);
    }
  }
}
