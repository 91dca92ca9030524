package ccx.hooks.grpc;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.db.Database;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.ServerCredentials;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;

/**
 * The gRPC server as {@code serve} starts it (Netty on a loopback TCP port, with the given caller
 * checks and limits) in front of the real pre-hook relay and outbox; and channels to it that send a
 * chosen bearer token, or none.
 */
final class DoorServer implements AutoCloseable {
  private final GrpcServer server;
  private final OutboxWriter writer;
  private final HookHttpClient http;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  DoorServer(
      Database database,
      HttpUrl hookUrl,
      ServerCredentials credentials,
      CallerAuth callers,
      GrpcLimits limits) {
    this(
        new OutboxRepository(database.dsl(), DatabaseClock.system()),
        HookHttpClient.create(new HookTarget(hookUrl, Optional.empty(), WebhookSigner.none())),
        credentials,
        callers,
        limits,
        HookTracing.off());
  }

  private DoorServer(
      OutboxRepository outbox,
      HookHttpClient http,
      ServerCredentials credentials,
      CallerAuth callers,
      GrpcLimits limits,
      HookTracing tracing) {
    this.http = http;
    PreHookRelay preHooks =
        new PreHookRelay(http, PreHookSettings.defaults(), outbox, new SimpleMeterRegistry());
    writer = new OutboxWriter(outbox);
    server =
        GrpcServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            credentials,
            callers,
            limits,
            metrics,
            preHooks,
            writer,
            tracing);
  }

  /**
   * A server without TLS whose hook calls are spans of {@code tracing}, sending pre-hooks with
   * {@code http} (closed with the server) and storing post-hooks in {@code outbox}.
   */
  static DoorServer traced(
      OutboxRepository outbox, HookHttpClient http, CallerAuth callers, HookTracing tracing) {
    return new DoorServer(
        outbox, http, InsecureServerCredentials.create(), callers, GrpcLimits.defaults(), tracing);
  }

  /** A server without TLS, as on a trusted network. */
  static DoorServer plaintext(
      Database database, HttpUrl hookUrl, CallerAuth callers, GrpcLimits limits) {
    return new DoorServer(database, hookUrl, InsecureServerCredentials.create(), callers, limits);
  }

  /** How many calls were refused with {@code code}, as {@code ccx_hook_grpc_refused} counts. */
  double refused(String code) {
    return metrics.find("ccx_hook_grpc_refused").tag("code", code).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  int port() {
    return server.port();
  }

  /** The server itself, for what a relay does to it: readiness, stopping. */
  GrpcServer grpc() {
    return server;
  }

  /** A plaintext channel sending {@code authorization: Bearer <token>}, or nothing when null. */
  ManagedChannel channel(String token) {
    return channel(InsecureChannelCredentials.create(), token == null ? null : "Bearer " + token);
  }

  /** A channel sending {@code authorization} with exactly this value, or nothing when null. */
  ManagedChannel channel(ChannelCredentials credentials, String authorization) {
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder("localhost:" + port(), credentials);
    if (authorization != null) {
      Metadata headers = new Metadata();
      headers.put(TokenAuthenticator.AUTHORIZATION, authorization);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    ManagedChannel channel = builder.build();
    channels.add(channel);
    return channel;
  }

  HookServiceBlockingStub stub(String token) {
    return HookServiceGrpc.newBlockingStub(channel(token)).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    server.stop(Duration.ofSeconds(2));
    writer.close();
    http.close();
  }
}
