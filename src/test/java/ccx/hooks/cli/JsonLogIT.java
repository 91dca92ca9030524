package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code serve --log-format json} from the built jar under {@code java -jar}, as a container or a
 * user runs it: every line on standard error is one JSON object with the fields a log pipeline
 * reads, JVM warnings included (there must be none), and lines about a hook carry its ids. It stops
 * with exit 0 after SIGTERM, and writes a flight recording started with {@code dumponexit}.
 */
class JsonLogIT {
  private static final Path JAR =
      Path.of(System.getProperty("user.dir"), "target", "ccx-hook-service.jar");

  /** Kept after the run, for a reader of a failure. */
  private final Path temp = Path.of(System.getProperty("user.dir"), "target", "json-log-it");

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The URL as one string, credentials as JDBC parameters, for the relay's command line. */
  private static String withCredentials(DatabaseUrl database) {
    StringBuilder url = new StringBuilder(database.jdbcUrl());
    database
        .user()
        .ifPresent(u -> url.append(url.indexOf("?") < 0 ? '?' : '&').append("user=").append(u));
    database
        .password()
        .ifPresent(p -> url.append(url.indexOf("?") < 0 ? '?' : '&').append("password=").append(p));
    return url.toString();
  }

  /** serve is closed by default: the relay and test-client share this caller token. */
  private static final String TOKEN = "json-log-it-" + java.util.UUID.randomUUID();

  private static int testClient(int port, String rpc, String json) {
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    return Main.run(
        new String[] {"test-client", "--target", "localhost:" + port, rpc, json},
        Map.of("CCX_HOOK_CLIENT_TOKEN", TOKEN),
        quiet,
        quiet);
  }

  @Test
  void every_line_of_a_relay_under_java_jar_is_a_json_object_with_the_fields_and_the_hook_ids()
      throws Exception {
    assertThat(JAR).as("built by ./mvnw verify before the integration tests").exists();
    Files.createDirectories(temp);
    // Every request answers 503: pre-hooks fail and deliveries are retried, and both log.
    MockHooksServer integrator =
        MockHooksServer.start(MockHooksOptions.builder().failRate(1.0).build());
    DatabaseUrl database = TestDatabase.createDatabase();
    int grpcPort = freePort();
    Path stderr = temp.resolve("relay.err");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    if (Runtime.version().feature() >= 24) {
      // Java 24+ warns once when protobuf first uses sun.misc.Unsafe, and only this flag (not the
      // manifest) can say it is expected; bin/ccx-hook-service passes it. Java 21, the image's,
      // has no such warning. Native access needs no flag: the jar's manifest enables it.
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    // As an operator diagnosing a relay would: a flight recording written when it stops. The
    // relay's shutdown halts the JVM, which would cut JFR's own hook short (Shutdown).
    Path recording = temp.resolve("relay.jfr");
    Files.deleteIfExists(recording);
    command.add("-XX:StartFlightRecording=dumponexit=true,filename=" + recording);
    command.addAll(
        List.of(
            "-jar",
            JAR.toString(),
            "serve",
            "--log-format",
            "json",
            "--hook-url",
            integrator.url() + "/hooks",
            "--grpc-port",
            Integer.toString(grpcPort),
            "--admin-port",
            "0",
            "--retry-initial",
            "200ms"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .redirectOutput(temp.resolve("relay.out").toFile());
    builder.environment().put("CCX_HOOK_DATABASE_URL", withCredentials(database));
    builder.environment().put("CCX_HOOK_CLIENT_TOKEN", TOKEN);
    Process relay = builder.start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(stderr).contains("ready: gRPC on port"));
      assertThat(testClient(grpcPort, "pre_add_node", "{\"clusterId\":\"c1\",\"nodeCount\":1}"))
          .as("the integrator answers 503: UNAVAILABLE")
          .isEqualTo(1);
      assertThat(testClient(grpcPort, "post_add_node", "{\"clusterId\":\"c1\",\"workId\":\"w-1\"}"))
          .isZero();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(stderr).contains("\"outbox_id\""));
    } finally {
      relay.destroy();
      relay.waitFor(60, TimeUnit.SECONDS);
      integrator.close();
    }
    assertThat(relay.exitValue()).as("an orderly stop").isZero();
    assertThat(Files.size(recording)).as("the flight recording, written at the stop").isPositive();

    List<JsonNode> lines = new ArrayList<>();
    JsonMapper json = JsonMapper.builder().build();
    for (String line : Files.readAllLines(stderr)) {
      JsonNode node = json.readTree(line);
      assertThat(node.isObject()).as("a JSON object: " + line).isTrue();
      for (String field : List.of("@timestamp", "level", "logger", "thread", "message")) {
        assertThat(node.path(field).isString()).as(field + " in " + line).isTrue();
      }
      OffsetDateTime.parse(node.path("@timestamp").asString());
      assertThat(node.has("sequenceNumber") || node.has("context")).as(line).isFalse();
      lines.add(node);
    }
    assertThat(lines).anyMatch(l -> l.path("message").asString().contains("stopped"));
    assertThat(lines)
        .as("the pre-hook's failure is logged with its hook and cluster")
        .anyMatch(
            l ->
                l.path("hook").asString().equals("pre-add-node")
                    && l.path("cluster_id").asString().equals("c1"));
    assertThat(lines)
        .as("a failed delivery is logged with the row's ids")
        .anyMatch(
            l ->
                l.path("hook").asString().equals("post-add-node")
                    && l.path("cluster_id").asString().equals("c1")
                    && l.path("work_id").asString().equals("w-1")
                    && l.path("outbox_id").asString().matches("\\d+"));
  }
}
