package ccx.hooks.grpc;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.TlsSettings;
import ccx.hooks.core.ConfigException;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.wire.HookTracing;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server: the hook service, the standard health service and server reflection.
 *
 * <p>The transport's event loops run what waits on neither the network nor the database: the caller
 * checks, the limits, tracing, health and reflection (a refused call's log line is written there,
 * at most 20 a second for each check). Each hook call then goes to a virtual thread of its own,
 * because it blocks on HTTP or on a database commit ({@link HookGrpcService}). One hand-over per
 * call: with gRPC's executor set to virtual threads instead, each batch of a call's events (its
 * start and request, then its end) took a virtual thread, and the relay spent about 8 % more CPU
 * per pre-hook (docs/BENCHMARKS.md, seventh session).
 */
public final class GrpcServer {
  private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
  private static final String SERVICE = HookServiceGrpc.SERVICE_NAME;

  /** The RPCs that call the integrator while the caller waits. */
  private static final Set<String> PRE_HOOK_METHODS =
      Set.of(
          HookServiceGrpc.getPreCreateClusterMethod().getFullMethodName(),
          HookServiceGrpc.getPreAddNodeMethod().getFullMethodName(),
          HookServiceGrpc.getPreRemoveNodeMethod().getFullMethodName(),
          HookServiceGrpc.getPreDeleteClusterMethod().getFullMethodName());

  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService calls;

  private GrpcServer(Server server, HealthStatusManager health, ExecutorService calls) {
    this.server = server;
    this.health = health;
    this.calls = calls;
  }

  /**
   * The services this relay serves, for a server built elsewhere (tests use in-process): the hook
   * service behind the caller checks and the limits, reflection behind the caller checks (it
   * describes what the hooks accept, so it is for callers only), and health open to all, so that
   * load balancers and probes need no credentials. Each hook call is a span of {@code tracing}:
   * after the caller checks (a caller not let in opens no span), before the limits (a call refused
   * for load is part of the caller's trace). Each hook call is answered on a thread of {@code
   * calls}; everything else runs where the transport delivers it, so it must not block.
   */
  public static List<ServerServiceDefinition> services(
      PreHookRelay preHooks,
      OutboxWriter outbox,
      HealthStatusManager health,
      CallerAuth callers,
      GrpcLimits limits,
      MeterRegistry metrics,
      HookTracing tracing,
      Executor calls) {
    List<ServerInterceptor> checks = new ArrayList<>();
    if (callers.checksTokens()) {
      checks.add(new TokenAuthenticator(callers.tokens(), metrics));
    }
    if (callers.checksClientNames()) {
      checks.add(new ClientNameAuthorizer(callers.clientNames(), metrics));
    }
    List<ServerInterceptor> hookChecks = new ArrayList<>(checks);
    hookChecks.add(new TracingInterceptor(tracing));
    hookChecks.add(new CallLimiter(limits, PRE_HOOK_METHODS, metrics));
    return List.of(
        ServerInterceptors.interceptForward(
            new HookGrpcService(preHooks, outbox, calls), hookChecks),
        ServerInterceptors.interceptForward(ProtoReflectionServiceV1.newInstance(), checks),
        health.getHealthService().bindService());
  }

  /**
   * Starts serving on {@code address}, calls checked by {@code callers} within {@code limits}, each
   * hook call a span of {@code tracing}; refused calls are counted in {@code metrics}.
   */
  public static GrpcServer start(
      InetSocketAddress address,
      ServerCredentials credentials,
      CallerAuth callers,
      GrpcLimits limits,
      MeterRegistry metrics,
      PreHookRelay preHooks,
      OutboxWriter outbox,
      HookTracing tracing) {
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    ServerBuilder<?> builder =
        NettyServerBuilder.forAddress(address, credentials)
            .directExecutor()
            .maxInboundMessageSize(limits.maxRequestBytes());
    services(preHooks, outbox, health, callers, limits, metrics, tracing, calls)
        .forEach(builder::addService);
    try {
      Server server = builder.build().start();
      GrpcServer grpc = new GrpcServer(server, health, calls);
      grpc.setServing(true);
      log.info(
          "gRPC server listening on {} port {} ({})",
          address.getAddress().isAnyLocalAddress()
              ? "every interface"
              : address.getAddress().getHostAddress(),
          server.getPort(),
          describe(callers));
      exposureWarnings(address, credentials, callers, server.getPort()).forEach(log::warn);
      return grpc;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for gRPC on " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * What an operator should hear of who can reach this server and what they could read: nothing on
   * the loopback address, where only this machine's processes can.
   */
  static List<String> exposureWarnings(
      InetSocketAddress address, ServerCredentials credentials, CallerAuth callers, int port) {
    if (address.getAddress().isLoopbackAddress()) {
      return List.of();
    }
    List<String> warnings = new ArrayList<>();
    if (!callers.authenticates()) {
      warnings.add(
          "gRPC callers are not authenticated (--allow-unauthenticated): anyone who reaches port "
              + port
              + " can make the relay send signed hooks to the integrator");
    }
    if (callers.checksTokens() && credentials instanceof InsecureServerCredentials) {
      warnings.add(
          "gRPC on port "
              + port
              + " is plaintext (no --tls-cert) but callers send bearer tokens: anyone on the"
              + " network path can read one and call the relay as CCX; serve gRPC over TLS");
    }
    return warnings;
  }

  private static String describe(CallerAuth callers) {
    List<String> checks = new ArrayList<>();
    if (callers.checksTokens()) {
      checks.add("callers need one of " + callers.tokens().size() + " bearer token(s)");
    }
    if (callers.checksClientNames()) {
      checks.add("client certificates must name one of " + callers.clientNames());
    }
    return checks.isEmpty() ? "callers not authenticated" : String.join(", ", checks);
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
