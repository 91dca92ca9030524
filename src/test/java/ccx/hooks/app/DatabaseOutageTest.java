package ccx.hooks.app;

import static ccx.hooks.testing.TestRequests.postAddNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.TcpProxy;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away and comes back (a proxy in front of the real server is cut and restored):
 * post-hooks answer UNAVAILABLE quickly and never OK, pre-hooks keep working, readiness follows,
 * and the relay recovers by itself without losing what it had acknowledged.
 */
class DatabaseOutageTest {
  @TempDir static Path temp;
  private static TcpProxy proxy;
  private static MockHooksServer integrator;
  private static Relay relay;
  private static ManagedChannel channel;
  private static Path record;
  private static DatabaseUrl directUrl;

  @BeforeAll
  static void start() throws Exception {
    DatabaseUrl direct = TestDatabase.createDatabase();
    directUrl = direct;
    InetSocketAddress server = TestDatabase.serverAddress();
    proxy = new TcpProxy(server.getHostString(), server.getPort());
    record = temp.resolve("hooks.jsonl");
    integrator = MockHooksServer.start(MockHooksOptions.builder().record(record).build());
    relay =
        Relay.start(
            TestConfigs.loopbackRelay(
                new HookTarget(
                    HttpUrl.get(integrator.url()), Optional.empty(), WebhookSigner.none()),
                TestDatabase.via(direct, proxy.port()),
                4));
    channel =
        Grpc.newChannelBuilder("localhost:" + relay.grpcPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    relay.close();
    integrator.close();
    proxy.close();
  }

  /** A stub whose calls give up after 5 s: an answer within it is an answer "within 5 s". */
  private static HookServiceGrpc.HookServiceBlockingStub stub() {
    return HookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static int readyz() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.adminPort() + "/readyz"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static boolean recordedAsDelivered(String workId) throws Exception {
    try (java.sql.Connection c = directUrl.connect(java.util.Map.of());
        java.sql.PreparedStatement s =
            c.prepareStatement(
                "SELECT 1 FROM hook_outbox WHERE work_id = ? AND status = 'delivered'")) {
      s.setString(1, workId);
      return s.executeQuery().next();
    }
  }

  private static boolean delivered(String workId) throws Exception {
    return Files.exists(record)
        && Files.readAllLines(record).stream()
            .anyMatch(l -> l.contains("post-add-node") && l.contains(workId));
  }

  @Test
  void
      an_outage_turns_post_hooks_into_fast_unavailable_answers_and_the_relay_recovers_without_loss()
          throws Exception {
    stub().postAddNode(postAddNode("c1", "before"));
    // Settled: received by the integrator and recorded, so the outage does not catch its outcome
    // in flight (a lost outcome is redelivered after its lease, and holds back its cluster).
    await().atMost(Duration.ofSeconds(10)).until(() -> delivered("before"));
    await().atMost(Duration.ofSeconds(10)).until(() -> recordedAsDelivered("before"));

    proxy.cut();
    assertThatThrownBy(() -> stub().postAddNode(postAddNode("c1", "during")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    await().atMost(Duration.ofSeconds(15)).until(() -> readyz() == 503);
    assertThat(
            stub()
                .preAddNode(
                    PreAddNodeRequest.newBuilder()
                        .setClusterId("c1")
                        .setNodeCount(1)
                        .setAuthId("s")
                        .build())
                .getApproved())
        .as("pre-hooks do not need the database")
        .isTrue();

    proxy.restore();
    await().atMost(Duration.ofSeconds(15)).until(() -> readyz() == 200);
    await()
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptions()
        .until(
            () -> {
              stub().postAddNode(postAddNode("c1", "after"));
              return true;
            });
    await().atMost(Duration.ofSeconds(15)).until(() -> delivered("after"));
    assertThat(delivered("during")).as("a hook answered UNAVAILABLE was never stored").isFalse();
  }
}
