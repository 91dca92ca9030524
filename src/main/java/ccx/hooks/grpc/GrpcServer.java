package ccx.hooks.grpc;

import ccx.hooks.ConfigException;
import ccx.hooks.config.TlsSettings;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.v1.HookServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server: the hook service, the standard health service and server reflection. Calls run
 * on virtual threads, because each one blocks on HTTP or on a database commit.
 */
public final class GrpcServer {
  private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
  private static final String SERVICE = HookServiceGrpc.SERVICE_NAME;

  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService calls;

  private GrpcServer(Server server, HealthStatusManager health, ExecutorService calls) {
    this.server = server;
    this.health = health;
    this.calls = calls;
  }

  /** The services this relay serves, for a server built elsewhere (tests use in-process). */
  public static List<BindableService> services(
      PreHookRelay preHooks, OutboxWriter outbox, HealthStatusManager health) {
    return List.of(
        new HookGrpcService(preHooks, outbox),
        health.getHealthService(),
        ProtoReflectionServiceV1.newInstance());
  }

  public static GrpcServer start(
      int port, ServerCredentials credentials, PreHookRelay preHooks, OutboxWriter outbox) {
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, credentials).executor(calls);
    services(preHooks, outbox, health).forEach(builder::addService);
    try {
      Server server = builder.build().start();
      GrpcServer grpc = new GrpcServer(server, health, calls);
      grpc.setServing(true);
      log.info("gRPC server listening on port {}", server.getPort());
      return grpc;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for gRPC on port " + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * Plaintext without TLS settings; else TLS with the given certificate, and mutual TLS (a client
   * certificate signed by the given CA is required) when a client CA is set.
   */
  public static ServerCredentials credentials(Optional<TlsSettings> tls) {
    if (tls.isEmpty()) {
      return InsecureServerCredentials.create();
    }
    TlsSettings settings = tls.get();
    try {
      TlsServerCredentials.Builder builder =
          TlsServerCredentials.newBuilder()
              .keyManager(settings.certificate().toFile(), settings.privateKey().toFile());
      if (settings.clientCa().isPresent()) {
        builder
            .trustManager(settings.clientCa().get().toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      TlsFailureLog.install(settings.clientCa().isPresent());
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          "--tls-cert, --tls-key or --tls-client-ca: cannot load ("
              + e.getMessage()
              + "); certificates must be PEM and the key PKCS#8 PEM");
    }
  }

  public int port() {
    return server.getPort();
  }

  /** What the health service reports, overall and for the hook service. */
  public void setServing(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(SERVICE, status);
  }

  /**
   * Stops taking calls, then waits up to {@code grace} for calls in flight: a post-hook being
   * committed finishes and is answered, so CCX is never left without an answer for a stored row.
   */
  public void stop(Duration grace) {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("gRPC calls still running after {}s; cancelling them", grace.toSeconds());
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    calls.shutdown();
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
