package ccx.hooks.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.TlsSettings;
import ccx.hooks.core.ConfigException;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.grpc.GrpcServer;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookSigner;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** gRPC over TLS and mutual TLS, with the test certificates of src/test/resources/tls. */
class TlsTest {
  private GrpcServer server;
  private Database unusedDatabase;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  static Path tls(String name) {
    try {
      return Path.of(TlsTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  int start(Optional<Path> clientCa) {
    // The health service is all these tests call: no database or integrator is reached.
    unusedDatabase =
        Database.open(
            new DatabaseUrl(
                "jdbc:postgresql://127.0.0.1:1/none", Optional.empty(), Optional.empty()),
            2);
    OutboxRepository outbox = new OutboxRepository(unusedDatabase.dsl(), DatabaseClock.system());
    HookHttpClient http =
        HookHttpClient.create(
            new HookTarget(
                HttpUrl.get("http://127.0.0.1:1"), Optional.empty(), WebhookSigner.none()));
    PreHookRelay preHooks =
        new PreHookRelay(http, PreHookSettings.defaults(), outbox, new SimpleMeterRegistry());
    TlsSettings settings = new TlsSettings(tls("server.pem"), tls("server.key"), clientCa);
    server =
        GrpcServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            GrpcServer.credentials(Optional.of(settings)),
            CallerAuth.loopbackOnly(),
            GrpcLimits.defaults(),
            new SimpleMeterRegistry(),
            preHooks,
            new OutboxWriter(outbox),
            HookTracing.off());
    log.start();
    ((Logger) LoggerFactory.getLogger(GrpcServer.class)).addAppender(log);
    return server.port();
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(GrpcServer.class)).detachAppender(log);
    if (server != null) {
      server.stop(java.time.Duration.ofSeconds(1));
    }
    if (unusedDatabase != null) {
      unusedDatabase.close();
    }
  }

  static ServingStatus check(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, credentials).build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ChannelCredentials client(String certificate, String key) throws IOException {
    TlsChannelCredentials.Builder builder =
        TlsChannelCredentials.newBuilder().trustManager(tls("ca.pem").toFile());
    if (certificate != null) {
      builder.keyManager(tls(certificate).toFile(), tls(key).toFile());
    }
    return builder.build();
  }

  private List<String> warnings() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void a_tls_relay_serves_a_client_that_trusts_its_certificate() throws Exception {
    int port = start(Optional.empty());
    assertThat(check(port, client(null, null))).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void a_tls_relay_refuses_a_plaintext_client_and_says_so() throws Exception {
    int port = start(Optional.empty());
    assertThatThrownBy(() -> check(port, InsecureChannelCredentials.create()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    await()
        .untilAsserted(
            () ->
                assertThat(warnings())
                    .anyMatch(
                        w ->
                            w.startsWith(
                                "Refused a gRPC connection: TLS handshake failed (a plaintext client")));
  }

  @Test
  void mutual_tls_serves_a_client_with_a_certificate_from_the_client_ca() throws Exception {
    int port = start(Optional.of(tls("ca.pem")));
    assertThat(check(port, client("client.pem", "client.key"))).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void mutual_tls_refuses_a_client_without_a_certificate_and_says_so() throws Exception {
    int port = start(Optional.of(tls("ca.pem")));
    assertThatThrownBy(() -> check(port, client(null, null)))
        .isInstanceOf(StatusRuntimeException.class);
    await()
        .untilAsserted(
            () -> assertThat(warnings()).anyMatch(w -> w.startsWith("Refused a gRPC connection")));
  }

  @Test
  void mutual_tls_refuses_a_client_whose_certificate_another_ca_signed() throws Exception {
    int port = start(Optional.of(tls("ca.pem")));
    assertThatThrownBy(() -> check(port, client("rogue-client.pem", "rogue-client.key")))
        .isInstanceOf(StatusRuntimeException.class);
    await()
        .untilAsserted(
            () -> assertThat(warnings()).anyMatch(w -> w.startsWith("Refused a gRPC connection")));
  }

  @Test
  void test_client_reaches_a_mutual_tls_relay_with_its_tls_options() {
    int port = start(Optional.of(tls("ca.pem")));
    String[] call = {"post_add_node", "{\"nodeCount\":1}"};
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int withTls =
        ccx.hooks.cli.Main.run(
            new String[] {
              "test-client",
              "--target",
              "localhost:" + port,
              "--tls-ca",
              tls("ca.pem").toString(),
              "--tls-cert",
              tls("client.pem").toString(),
              "--tls-key",
              tls("client.key").toString(),
              call[0],
              call[1]
            },
            java.util.Map.of(),
            new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
            new java.io.PrintStream(err, true));
    // The relay answered (the request lacks cluster_id): the TLS handshake went through.
    assertThat(withTls).isEqualTo(1);
    assertThat(err.toString()).startsWith("INVALID_ARGUMENT: cluster_id is required");

    java.io.ByteArrayOutputStream plainErr = new java.io.ByteArrayOutputStream();
    int plaintext =
        ccx.hooks.cli.Main.run(
            new String[] {
              "test-client", "--target", "localhost:" + port, "--timeout", "5s", call[0], call[1]
            },
            java.util.Map.of(),
            new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
            new java.io.PrintStream(plainErr, true));
    assertThat(plaintext).isEqualTo(1);
    assertThat(plainErr.toString()).startsWith("UNAVAILABLE");
  }

  @Test
  void a_missing_certificate_file_is_a_configuration_error_naming_the_option() {
    assertThatThrownBy(
            () ->
                new TlsSettings(
                    new File("/nonexistent.pem").toPath(), tls("server.key"), Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--tls-cert");
    assertThatThrownBy(() -> TlsSettings.of(tls("server.pem"), null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--tls-key");
  }
}
