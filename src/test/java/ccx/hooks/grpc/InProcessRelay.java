package ccx.hooks.grpc;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;

/**
 * The gRPC layer as {@code Relay} builds it, served on an in-process channel: the real pre-hook
 * relay, HTTP client and outbox, only the transport is in memory.
 *
 * <p>As in production, the transport runs the checks where it delivers the call (here, on the
 * caller's thread) and each hook call is answered on a virtual thread of its own, so a caller's
 * deadline ends its call while the integrator hangs.
 */
final class InProcessRelay implements AutoCloseable {
  private final ExecutorService calls;
  private final Server server;
  private final ManagedChannel channel;
  private final OutboxWriter writer;

  private InProcessRelay(OutboxRepository outbox, HookHttpClient http, PreHookSettings settings) {
    this(outbox, http, settings, Executors.newVirtualThreadPerTaskExecutor());
  }

  private InProcessRelay(
      OutboxRepository outbox,
      HookHttpClient http,
      PreHookSettings settings,
      ExecutorService calls) {
    this.calls = calls;
    PreHookRelay preHooks = new PreHookRelay(http, settings, outbox, new SimpleMeterRegistry());
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
    writer = new OutboxWriter(outbox);
    GrpcServer.services(
            preHooks,
            writer,
            new HealthStatusManager(),
            CallerAuth.loopbackOnly(),
            GrpcLimits.defaults(),
            new SimpleMeterRegistry(),
            HookTracing.off(),
            calls)
        .forEach(builder::addService);
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).build();
  }

  static InProcessRelay start(OutboxRepository outbox, HttpUrl hookUrl, PreHookSettings settings) {
    // A client (and so breakers) per relay: failures of one test never open a breaker for the next.
    return new InProcessRelay(
        outbox,
        HookHttpClient.create(new HookTarget(hookUrl, Optional.empty(), WebhookSigner.none())),
        settings);
  }

  /** A relay whose hook calls are answered on threads of {@code calls}. */
  static InProcessRelay start(OutboxRepository outbox, HttpUrl hookUrl, ExecutorService calls) {
    return new InProcessRelay(
        outbox,
        HookHttpClient.create(new HookTarget(hookUrl, Optional.empty(), WebhookSigner.none())),
        PreHookSettings.defaults(),
        calls);
  }

  /** A relay whose pre-hooks go through {@code http}: its breakers shared with a drainer. */
  static InProcessRelay start(
      OutboxRepository outbox, HookHttpClient http, PreHookSettings settings) {
    return new InProcessRelay(outbox, http, settings);
  }

  static InProcessRelay start(
      OutboxRepository outbox, HttpUrl hookUrl, Duration preHookTimeout, FailurePolicy policy) {
    return start(outbox, hookUrl, new PreHookSettings(preHookTimeout, policy));
  }

  HookServiceBlockingStub stub() {
    return HookServiceGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    calls.shutdownNow();
    writer.close();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
