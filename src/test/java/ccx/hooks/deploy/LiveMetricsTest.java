package ccx.hooks.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.app.Relay;
import ccx.hooks.cli.Main;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A running relay's {@code /metrics}, after one operation went through it (a pre-hook answered, a
 * post-hook delivered): Prometheus's own linter accepts it, and every metric that the Grafana
 * dashboard or the alert rules query is on it.
 */
class LiveMetricsTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));

  /**
   * Metrics the dashboard shows that the relay exposes once the claim-time work lands (the claim
   * statement's timer); until then their panel is empty.
   */
  private static MockHooksServer integrator;

  private static Relay relay;
  private static String metrics;

  @BeforeAll
  static void start() throws Exception {
    integrator = MockHooksServer.start(MockHooksOptions.quiet(0));
    RelayConfig config =
        TestConfigs.loopbackRelay(
            new HookTarget(
                HttpUrl.get(integrator.url() + "/hooks"), Optional.empty(), WebhookSigner.none()),
            TestDatabase.createDatabase(),
            8);
    relay = Relay.start(config);
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    int exit =
        Main.run(
            new String[] {
              "test-client",
              "--target",
              "localhost:" + relay.grpcPort(),
              "add_node",
              "{\"clusterId\":\"c1\",\"nodeCount\":1,\"authId\":\"a1\"}"
            },
            Map.of(),
            quiet,
            quiet);
    assertThat(exit).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> scrape().contains("outcome=\"delivered\""));
    metrics = scrape();
    // Kept for a reader of a failure: what promtool and the assertions below saw.
    Files.writeString(ROOT.resolve("target/live-metrics.txt"), metrics);
  }

  @AfterAll
  static void stop() {
    if (relay != null) {
      relay.close();
    }
    if (integrator != null) {
      integrator.close();
    }
  }

  private static String scrape() throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + relay.adminPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }

  private static Set<String> exposed() {
    Set<String> names = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  @Test
  void promtool_accepts_the_metrics_of_a_running_relay() throws Exception {
    Promtool.Result result = Promtool.run(ROOT.resolve("target"), metrics, "check", "metrics");
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  @Test
  void every_metric_a_dashboard_panel_queries_is_on_a_running_relay() throws IOException {
    JsonNode dashboard =
        JsonMapper.builder()
            .build()
            .readTree(ROOT.resolve("deploy/grafana/ccx-hook-service.json").toFile());
    Set<String> queried = new TreeSet<>();
    int panels = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queried.addAll(PromQl.metricNames(target.path("expr").asString()));
        panels++;
      }
    }
    assertThat(panels).isGreaterThanOrEqualTo(10);
    assertThat(queried)
        .contains(
            "ccx_hook_prehook_seconds_count",
            "ccx_hook_outbox_rows",
            "ccx_hook_outbox_oldest_pending_age_seconds",
            "ccx_hook_delivery_seconds_max",
            "ccx_hook_breaker_state",
            "ccx_hook_claim_seconds_bucket");
    assertThat(exposed()).containsAll(queried);
  }

  @Test
  void every_metric_an_alert_queries_is_on_a_running_relay() throws IOException {
    Set<String> queried = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve("deploy/prometheus/alerts.yml"))) {
      String trimmed = line.trim();
      if (trimmed.startsWith("expr:")
          || trimmed.startsWith("max by")
          || trimmed.startsWith("sum by")) {
        queried.addAll(PromQl.metricNames(trimmed.replaceFirst("^expr:", "")));
      }
    }
    // up is Prometheus's own, per scraped target.
    queried.remove("up");
    assertThat(queried).hasSizeGreaterThanOrEqualTo(6);
    assertThat(exposed()).containsAll(queried);
  }
}
