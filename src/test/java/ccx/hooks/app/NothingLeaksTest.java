package ccx.hooks.app;

import static ccx.hooks.testing.TestRequests.postAddNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.TcpProxy;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every scenario of a closed door, run against whole relays (Netty, admin HTTP, drainer, real
 * PostgreSQL reached with a password): every log line, every {@code /readyz} body, every status
 * message a caller received and every line mock-hooks recorded is searched for the relay's secrets.
 * None may appear, and what callers and probes read names no host, user or driver message.
 */
class NothingLeaksTest {
  static final String OLD_TOKEN = "caller-token-old-7c1e3f9a0b2d4e6f";
  static final String NEW_TOKEN = "caller-token-new-2a8b4c6d0e1f3a5b";
  static final String DATABASE_PASSWORD = "db-password-5e7f9a1b3c";
  static final String HOOK_TOKEN = "hook-token-4d6f8a0c2e";
  static final String SESSION = "session-id-9b1d3f5a7c";
  static final String SECRET_BASE64 =
      Base64.getEncoder().encodeToString("signing-secret-0123456789".getBytes());
  static final String SIGNING_SECRET = "whsec_" + SECRET_BASE64;

  @TempDir Path temp;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<String> statusMessages = Collections.synchronizedList(new ArrayList<>());
  private final List<String> readyzBodies = new ArrayList<>();
  private final List<AutoCloseable> parts = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void watchEveryLogger() {
    log.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
  }

  @AfterEach
  void stopAll() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    for (AutoCloseable part : parts.reversed()) {
      part.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
  }

  private RelayConfig config(HttpUrl hookUrl, DatabaseUrl database, int adminPort) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    return new RelayConfig(
        new HookTarget(hookUrl, Optional.of(HOOK_TOKEN), WebhookSigner.fromSecrets(SIGNING_SECRET)),
        database,
        0,
        adminPort,
        new PreHookSettings(Duration.ofSeconds(5), PreHookSettings.DEFAULT_FAILURE_POLICY),
        DeliverySettings.defaults(),
        4,
        Optional.empty(),
        Optional.of(loopback),
        Optional.of(loopback),
        CallerAuth.of(OLD_TOKEN + " " + NEW_TOKEN, null, false),
        new GrpcLimits(GrpcLimits.DEFAULT_MAX_REQUEST_BYTES, 64, 2));
  }

  private HookServiceBlockingStub stub(Relay relay, String token) {
    var builder =
        Grpc.newChannelBuilder(
            "localhost:" + relay.grpcPort(), InsecureChannelCredentials.create());
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    ManagedChannel channel = builder.build();
    channels.add(channel);
    return HookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** Calls, keeping the status message of a failure; true when it succeeded. */
  private boolean call(Runnable rpc) {
    try {
      rpc.run();
      return true;
    } catch (StatusRuntimeException e) {
      statusMessages.add(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return false;
    }
  }

  private HttpResponse<String> readyz(int adminPort) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    readyzBodies.add(response.body());
    return response;
  }

  private static PreAddNodeRequest preAddNode(String cluster) {
    return PreAddNodeRequest.newBuilder()
        .setClusterId(cluster)
        .setCloud("aws")
        .setNodeCount(1)
        .setInstanceType("m5.large")
        .setAuthId(SESSION)
        .build();
  }

  private static PostCreateClusterRequest withNodeIds(Stream<String> nodeIds) {
    return PostCreateClusterRequest.newBuilder()
        .setClusterId("c-1")
        .addAllNodeIds(nodeIds.toList())
        .build();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void no_scenario_shows_a_token_the_database_password_or_the_signing_secret() throws Exception {
    Path record = temp.resolve("hooks.jsonl");
    // A slow integrator: the admitted pre-hooks of the burst below hold their slots for a second.
    MockHooksServer integrator =
        MockHooksServer.start(
            MockHooksOptions.builder().delay(Duration.ofSeconds(1)).record(record).build());
    parts.add(integrator);
    DatabaseUrl direct = TestDatabase.createDatabase();
    InetSocketAddress server = TestDatabase.serverAddress();
    TcpProxy proxy = new TcpProxy(server.getHostString(), server.getPort());
    parts.add(proxy);
    // PostgreSQL here trusts local connections, so the password is sent nowhere it could fail;
    // the relay holds it all the same, which is what this test is about.
    DatabaseUrl withPassword =
        new DatabaseUrl(
            TestDatabase.via(direct, proxy.port()).jdbcUrl(),
            Optional.empty(),
            Optional.of(DATABASE_PASSWORD));
    int adminPort = freePort();
    RelayConfig config = config(HttpUrl.get(integrator.url()), withPassword, adminPort);
    assertThat(config.toString())
        .doesNotContain(OLD_TOKEN, NEW_TOKEN, DATABASE_PASSWORD, HOOK_TOKEN, SECRET_BASE64);
    Relay relay = Relay.start(config);
    parts.add(relay);

    // No token, a wrong one, the old and the new one.
    assertThat(call(() -> stub(relay, null).postAddNode(postAddNode("c-1", "w-none")))).isFalse();
    assertThat(call(() -> stub(relay, OLD_TOKEN + "x").postAddNode(postAddNode("c-1", "w-wrong"))))
        .isFalse();
    assertThat(call(() -> stub(relay, OLD_TOKEN).preAddNode(preAddNode("c-1")))).isTrue();
    assertThat(call(() -> stub(relay, NEW_TOKEN).postAddNode(postAddNode("c-1", "w-new"))))
        .isTrue();
    // Too large, too many node ids.
    String twoKib = "n".repeat(2048);
    assertThat(
            call(
                () ->
                    stub(relay, NEW_TOKEN)
                        .postCreateCluster(
                            withNodeIds(IntStream.range(0, 1024).mapToObj(i -> twoKib)))))
        .isFalse();
    assertThat(
            call(
                () ->
                    stub(relay, NEW_TOKEN)
                        .postCreateCluster(
                            withNodeIds(IntStream.range(0, 1001).mapToObj(i -> "n" + i)))))
        .isFalse();
    // A burst of pre-hooks beyond --max-pre-hooks-in-flight (2) while the integrator is slow.
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 8; i++) {
        String cluster = "c-burst-" + i;
        callers.submit(() -> call(() -> stub(relay, NEW_TOKEN).preAddNode(preAddNode(cluster))));
      }
    }
    assertThat(statusMessages).anyMatch(m -> m.startsWith("RESOURCE_EXHAUSTED"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(record) && Files.readString(record).contains("w-new"));

    // The database goes away: callers and /readyz are told so, without where or why.
    proxy.cut();
    assertThat(call(() -> stub(relay, NEW_TOKEN).postAddNode(postAddNode("c-1", "w-db-down"))))
        .isFalse();
    await().atMost(Duration.ofSeconds(15)).until(() -> readyz(adminPort).statusCode() == 503);
    proxy.restore();

    // An integrator that refuses connections, at a URL with credentials in it.
    int refusing = freePort();
    Relay second =
        Relay.start(
            config(
                HttpUrl.get("http://hookuser:" + HOOK_TOKEN + "@127.0.0.1:" + refusing + "/"),
                withPassword,
                0));
    parts.add(second);
    assertThat(call(() -> stub(second, NEW_TOKEN).preAddNode(preAddNode("c-2")))).isFalse();

    List<String> logLines =
        log.list.stream()
            .map(
                e ->
                    e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                            ? ""
                            : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
            .toList();
    List<String> recorded = Files.readAllLines(record);
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("ccx_hook_grpc_refused_total{code=\"UNAUTHENTICATED\",method=\"PostAddNode\"}")
        .contains("ccx_hook_grpc_refused_total{code=\"RESOURCE_EXHAUSTED\",method=\"PreAddNode\"}");
    List<String> everything = new ArrayList<>();
    everything.addAll(logLines);
    everything.addAll(readyzBodies);
    everything.addAll(statusMessages);
    everything.addAll(recorded);
    everything.add(metrics);

    assertThat(statusMessages)
        .anyMatch(m -> m.startsWith("UNAUTHENTICATED"))
        .anyMatch(m -> m.startsWith("INVALID_ARGUMENT: node_ids has 1001"))
        .anyMatch(m -> m.startsWith("UNAVAILABLE: the outbox database is unavailable"))
        .anyMatch(m -> m.startsWith("UNAVAILABLE: pre-add-node hook failed: connection failed"));
    assertThat(readyzBodies).contains("not ready: database unreachable\n");
    assertThat(logLines).anyMatch(l -> l.contains("Refused a gRPC call"));
    assertThat(recorded).anyMatch(l -> l.contains("\"authorization\":\"Bearer ***\""));
    for (String secret :
        List.of(OLD_TOKEN, NEW_TOKEN, DATABASE_PASSWORD, HOOK_TOKEN, SECRET_BASE64, SESSION)) {
      assertThat(everything).as("lines showing " + secret).noneMatch(l -> l.contains(secret));
    }
    // What callers and probes read names no host and quotes no driver.
    for (String seen : concat(statusMessages, readyzBodies)) {
      assertThat(seen)
          .doesNotContain("127.0.0.1", "localhost", "jdbc:", "refused", "Exception", "ccx_test_");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
