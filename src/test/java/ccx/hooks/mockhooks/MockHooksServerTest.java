package ccx.hooks.mockhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockHooksServerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final HttpClient http = HttpClient.newHttpClient();
  private MockHooksServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
    http.close();
  }

  private MockHooksServer start(boolean reject, double failRate, Optional<Path> record) {
    return start(reject, failRate, record, null);
  }

  private MockHooksServer start(
      boolean reject, double failRate, Optional<Path> record, PrintStream out) {
    MockHooksOptions.Builder options =
        MockHooksOptions.builder().reject(reject).failRate(failRate).printTo(out);
    record.ifPresent(options::record);
    server = MockHooksServer.start(options.build());
    return server;
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .header("webhook-id", "msg_test")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/pre-create-cluster", "/pre-add-node", "/hooks/pre-add-node"})
  void approval_hooks_are_approved_with_a_fresh_work_id(String path) throws Exception {
    start(false, 0, Optional.empty());

    HttpResponse<String> first = post(path, "{\"cluster_id\":\"c1\"}");
    HttpResponse<String> second = post(path, "{\"cluster_id\":\"c1\"}");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json(first).get("approved").getAsBoolean()).isTrue();
    UUID workId = UUID.fromString(json(first).get("work_id").getAsString());
    assertThat(UUID.fromString(json(second).get("work_id").getAsString())).isNotEqualTo(workId);
  }

  @Test
  void with_reject_approval_hooks_are_refused_with_a_reason() throws Exception {
    start(true, 0, Optional.empty());

    JsonObject answer = json(post("/pre-add-node", "{}"));

    assertThat(answer.get("approved").getAsBoolean()).isFalse();
    assertThat(answer.get("reason").getAsString()).contains("--reject");
    assertThat(UUID.fromString(answer.get("work_id").getAsString())).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/pre-remove-node", "/pre-delete-cluster"})
  void notice_hooks_get_a_work_id_even_with_reject(String path) throws Exception {
    start(true, 0, Optional.empty());

    HttpResponse<String> response = post(path, "{}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).keySet()).containsExactly("work_id");
    assertThat(UUID.fromString(json(response).get("work_id").getAsString())).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/post-create-cluster",
        "/post-add-node",
        "/post-remove-node",
        "/post-delete-cluster"
      })
  void post_hooks_get_an_empty_object(String path) throws Exception {
    start(false, 0, Optional.empty());

    HttpResponse<String> response = post(path, "{}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
  }

  @Test
  void by_default_it_listens_on_loopback_only() throws Exception {
    java.util.List<java.net.InetAddress> others =
        java.net.NetworkInterface.networkInterfaces()
            .flatMap(java.net.NetworkInterface::inetAddresses)
            .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
            .toList();
    org.junit.jupiter.api.Assumptions.assumeFalse(
        others.isEmpty(), "this machine has no address but loopback");
    start(false, 0, Optional.empty());

    assertThat(post("/pre-add-node", "{}").statusCode()).isEqualTo(200);
    for (java.net.InetAddress address : others) {
      try (java.net.Socket socket = new java.net.Socket()) {
        assertThatThrownBy(
                () -> socket.connect(new java.net.InetSocketAddress(address, server.port()), 2_000))
            .as("connecting on %s", address)
            .isInstanceOf(java.net.ConnectException.class);
      }
    }
  }

  @Test
  void an_unknown_hook_is_not_found() throws Exception {
    start(false, 0, Optional.empty());

    assertThat(post("/pre-launch-rocket", "{}").statusCode()).isEqualTo(404);
    assertThat(post("/", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void a_hook_that_is_not_posted_is_refused() throws Exception {
    start(false, 0, Optional.empty());

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/pre-add-node")).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
  }

  @Test
  void a_fail_rate_of_one_answers_every_hook_503() throws Exception {
    start(false, 1.0, Optional.empty());

    for (String path : List.of("/pre-add-node", "/post-add-node", "/pre-remove-node")) {
      HttpResponse<String> response = post(path, "{}");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).contains("--fail-rate");
    }
  }

  @Test
  void the_record_file_gets_one_json_line_per_hook(@TempDir Path dir) throws Exception {
    Path record = dir.resolve("hooks.jsonl");
    start(false, 0, Optional.of(record));
    String body = "{\"cluster_id\":\"c1\",\"auth_id\":\"s1\"}";
    Instant before = Instant.now();

    // A hook is recorded just after its answer is sent, so each is awaited to keep the order.
    post("/hooks/pre-add-node", body);
    await().atMost(WAIT).until(() -> lines(record).size() == 1);
    post("/nope", "{}");
    await().atMost(WAIT).until(() -> lines(record).size() == 2);
    JsonObject first = JsonParser.parseString(lines(record).get(0)).getAsJsonObject();
    assertThat(Instant.parse(first.get("time").getAsString())).isAfterOrEqualTo(before);
    assertThat(first.get("path").getAsString()).isEqualTo("/hooks/pre-add-node");
    // The session id is masked in the record as on the console.
    assertThat(first.get("body").getAsString())
        .isEqualTo("{\"cluster_id\":\"c1\",\"auth_id\":\"***\"}");
    assertThat(first.get("status").getAsInt()).isEqualTo(200);
    JsonObject headers = first.getAsJsonObject("headers");
    assertThat(headers.get("webhook-id").getAsString()).isEqualTo("msg_test");
    assertThat(headers.get("content-type").getAsString()).isEqualTo("application/json");
    JsonObject second = JsonParser.parseString(lines(record).get(1)).getAsJsonObject();
    assertThat(second.get("path").getAsString()).isEqualTo("/nope");
    assertThat(second.get("status").getAsInt()).isEqualTo(404);
  }

  @Test
  void the_record_masks_the_session_id_and_the_bearer_token(@TempDir Path dir) throws Exception {
    Path record = dir.resolve("hooks.jsonl");
    start(false, 0, Optional.of(record));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.url() + "/pre-add-node"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer hook-token-secret")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"cluster_id\":\"c1\",\"auth_id\":\"se\\\"ss-secret\"}"))
            .build();
    http.send(request, HttpResponse.BodyHandlers.ofString());

    await().atMost(WAIT).until(() -> lines(record).size() == 1);
    String line = lines(record).get(0);
    JsonObject recorded = JsonParser.parseString(line).getAsJsonObject();
    assertThat(recorded.getAsJsonObject("headers").get("authorization").getAsString())
        .isEqualTo("Bearer ***");
    assertThat(recorded.get("body").getAsString())
        .isEqualTo("{\"cluster_id\":\"c1\",\"auth_id\":\"***\"}");
    assertThat(line).doesNotContain("hook-token-secret", "ss-secret");
  }

  @Test
  void recording_appends_to_an_existing_file(@TempDir Path dir) throws Exception {
    Path record = dir.resolve("hooks.jsonl");
    Files.writeString(record, "{\"earlier\":true}\n");
    start(false, 0, Optional.of(record));

    post("/post-add-node", "{}");

    await().atMost(WAIT).until(() -> lines(record).size() == 2);
    assertThat(lines(record).get(0)).isEqualTo("{\"earlier\":true}");
  }

  @Test
  void printed_hooks_show_the_auth_id_masked() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    start(false, 0, Optional.empty(), new PrintStream(printed, true, StandardCharsets.UTF_8));

    post("/pre-add-node", "{\"cluster_id\":\"c1\",\"auth_id\":\"session-secret-42\"}");

    await().atMost(WAIT).until(() -> printed.toString(StandardCharsets.UTF_8).contains("\n"));
    String line = printed.toString(StandardCharsets.UTF_8);
    assertThat(line)
        .contains("POST /pre-add-node -> 200", "webhook-id=msg_test", "\"auth_id\":\"***\"")
        .contains("\"cluster_id\":\"c1\"")
        .doesNotContain("session-secret-42");
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
