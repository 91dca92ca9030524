package ccx.hooks.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.RelayConfig;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.CommandResult;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole relay as serve runs it (Netty gRPC, admin HTTP, drainer, PostgreSQL) driven by the
 * test-client command, with mock-hooks as the integrator recording what it receives.
 */
class RelayTest {
  @TempDir static Path temp;
  private static MockHooksServer integrator;
  private static Relay relay;
  private static Path record;

  @BeforeAll
  static void start() {
    record = temp.resolve("hooks.jsonl");
    integrator = MockHooksServer.start(MockHooksOptions.builder().record(record).build());
    DatabaseUrl database = TestDatabase.createDatabase();
    RelayConfig config =
        TestConfigs.loopbackRelay(
            new HookTarget(
                HttpUrl.get(integrator.url() + "/hooks"), Optional.empty(), WebhookSigner.none()),
            database,
            8);
    relay = Relay.start(config);
  }

  @AfterAll
  static void stop() {
    relay.close();
    integrator.close();
  }

  private static CommandResult testClient(String... args) {
    String[] command = new String[args.length + 3];
    command[0] = "test-client";
    command[1] = "--target";
    command[2] = "localhost:" + relay.grpcPort();
    System.arraycopy(args, 0, command, 3, args.length);
    return CommandResult.run(Map.of(), command);
  }

  private static List<String> recorded() throws IOException {
    return Files.exists(record) ? Files.readAllLines(record) : List.of();
  }

  @Test
  void the_readme_example_runs_the_pre_hook_then_the_post_hook_with_the_returned_work_id()
      throws IOException {
    CommandResult run =
        testClient(
            "add_node",
            "{\"clusterId\":\"1\",\"cloud\":\"c1\",\"nodeCount\":1,\"instanceType\":\"i1\",\"authId\":\"a1\"}");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .matches("PreAddNode \\{\"approved\":true,\"workId\":\"[0-9a-f-]{36}\"\\}");
    String workId = lines.get(0).replaceAll(".*\"workId\":\"([^\"]+)\".*", "$1");
    assertThat(lines.get(1)).isEqualTo("PostAddNode {}");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                recorded().stream()
                    .anyMatch(l -> l.contains("/hooks/post-add-node") && l.contains(workId)));
  }

  @Test
  void every_hook_reaches_the_integrator_through_serve() throws IOException {
    String[][] calls = {
      {
        "create_cluster",
        "{\"clusterId\":\"c9\",\"clusterName\":\"n\",\"datastoreType\":\"postgres\",\"cloud\":\"aws\",\"nodeCount\":3,\"instanceType\":\"m5\",\"authId\":\"s\",\"clusterStatus\":\"ok\",\"nodeIds\":[\"n1\"]}"
      },
      {"remove_node", "{\"clusterId\":\"c9\",\"nodeId\":\"n1\",\"authId\":\"s\"}"},
      {"delete_cluster", "{\"clusterId\":\"c9\",\"authId\":\"s\",\"status\":\"deleted\"}"},
      {
        "add_node",
        "{\"clusterId\":\"c9\",\"cloud\":\"aws\",\"nodeCount\":1,\"instanceType\":\"m5\",\"authId\":\"s\"}"
      }
    };
    for (String[] call : calls) {
      CommandResult run = testClient(call);
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    List<String> paths =
        List.of(
            "pre-create-cluster",
            "post-create-cluster",
            "pre-remove-node",
            "post-remove-node",
            "pre-delete-cluster",
            "post-delete-cluster",
            "pre-add-node",
            "post-add-node");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<String> lines = recorded();
              for (String path : paths) {
                assertThat(lines)
                    .as(path)
                    .anyMatch(l -> l.contains("\"/hooks/" + path + "\"") && l.contains("c9"));
              }
            });
  }

  @Test
  void a_single_rpc_prints_one_line_and_a_grpc_error_exits_1_with_the_status_on_stderr() {
    CommandResult ok = testClient("pre_delete_cluster", "{\"clusterId\":\"c1\",\"authId\":\"a\"}");
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out().lines().toList())
        .singleElement()
        .asString()
        .startsWith("PreDeleteCluster {\"workId\":\"");

    CommandResult invalid = testClient("post_add_node", "{\"nodeCount\":1}");
    assertThat(invalid.exitCode()).isEqualTo(1);
    assertThat(invalid.out()).isEmpty();
    assertThat(invalid.err().strip()).isEqualTo("INVALID_ARGUMENT: cluster_id is required");
  }

  @Test
  void a_request_holding_a_nul_character_is_refused_naming_the_field() {
    CommandResult run =
        testClient("post_add_node", "{\"clusterId\":\"c\\u0000\",\"workId\":\"w\"}");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip())
        .isEqualTo("INVALID_ARGUMENT: cluster_id contains a NUL character");
  }

  @Test
  void admin_http_answers_health_readiness_and_metrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + relay.adminPort();
    for (String path : List.of("/healthz", "/readyz")) {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(path).isEqualTo(200);
    }
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("ccx_hook_outbox_rows{status=\"pending\"}")
        .contains("ccx_hook_outbox_oldest_pending_age_seconds")
        .contains("ccx_hook_breaker_state{hook=\"post-add-node\",kind=\"delivery\"} 0.0")
        .contains("ccx_hook_breaker_state{hook=\"pre-add-node\",kind=\"prehook\"} 0.0")
        .contains("ccx_hook_claim_seconds_bucket{le=\"0.001\"}")
        .doesNotContain("ccx_hook_outbox_rows{status=\"pending\"} NaN");
    // A relay that has started has had its JIT compile something.
    assertThat(
            metrics
                .lines()
                .filter(line -> line.startsWith("jvm_compilation_time_seconds_total "))
                .map(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))))
        .singleElement()
        .satisfies(seconds -> assertThat(seconds).isPositive());
  }
}
