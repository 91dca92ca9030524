package ccx.hooks.cli;

import static ccx.hooks.cli.CommandLineTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.testing.CommandResult;
import ccx.hooks.testing.TestDatabase;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} end to end with tiny sizes: relays in child processes, a real PostgreSQL, and the
 * JSON it prints. Only shapes and counts are checked here; the figures belong to a real run.
 */
class BenchCommandTest {
  private static final String SERVER = TestDatabase.createDatabase().jdbcUrl();

  @TempDir Path workDir;

  private JsonObject bench(String... options) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("bench", "--database-url", SERVER, "--json", "--work-dir", workDir.toString()));
    args.addAll(List.of(options));
    CommandResult result = run(args.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> lines = result.out().lines().toList();
    return JsonParser.parseString(lines.getLast()).getAsJsonObject();
  }

  @Test
  void backlog_is_loaded_and_every_row_delivered_with_a_rate_per_tenth_and_claim_times() {
    JsonObject json =
        bench(
            "--scenarios",
            "backlog",
            "--backlog-rows",
            "2000",
            "--stuck-rows",
            "500",
            "--expired-rows",
            "300");

    assertThat(json.keySet()).containsExactlyInAnyOrder("backlog", "rss_mb", "setup");
    JsonObject backlog = json.getAsJsonObject("backlog");
    assertThat(backlog.get("rows").getAsInt()).isEqualTo(2000);
    assertThat(backlog.get("clusters").getAsInt()).isEqualTo(10_000);
    assertThat(backlog.get("relays").getAsInt()).isEqualTo(1);
    assertThat(backlog.get("stuck_rows").getAsInt()).isEqualTo(500);
    assertThat(backlog.get("expired_rows").getAsInt()).isEqualTo(300);
    assertThat(backlog.get("relay_cpu_us_per_delivery").getAsDouble()).isPositive();
    assertThat(backlog.get("deliveries").getAsLong())
        .as("the stuck cluster's rows wait; every other row is delivered")
        .isEqualTo(2000);
    assertThat(backlog.get("seconds").getAsDouble()).isPositive();
    assertThat(backlog.get("rps").getAsDouble()).isPositive();
    JsonArray tenths = backlog.getAsJsonArray("tenths_rps");
    assertThat(tenths).hasSize(10);
    assertThat(StreamSupport.stream(tenths.spliterator(), false).mapToDouble(t -> t.getAsDouble()))
        .allMatch(rps -> rps > 0);
    double p50 = backlog.get("claim_p50_ms").getAsDouble();
    assertThat(p50).isPositive();
    assertThat(backlog.get("claim_p99_ms").getAsDouble()).isGreaterThanOrEqualTo(p50);
  }

  @Test
  void the_default_scenarios_still_run_and_drain_with_two_relays() throws Exception {
    Path plot = workDir.resolve("latency.svg");
    JsonObject json =
        bench(
            "--duration", "1s",
            "--drain-rows", "500",
            "--e2e-rate", "50",
            "--relays", "2",
            "--plot", plot.toString());

    assertThat(json.keySet())
        .containsExactlyInAnyOrder("prehook", "ingest", "drain", "e2e", "rss_mb", "setup");
    assertThat(json.getAsJsonObject("prehook").get("relay_rps").getAsDouble()).isPositive();
    assertThat(json.getAsJsonObject("prehook").get("direct_p99_ms").getAsDouble()).isPositive();
    assertThat(json.getAsJsonObject("prehook").get("relay_cpu_us_per_call").getAsDouble())
        .isPositive();
    // The measured second opens after the 0.33 s warm-up and at least one 2 s window of the wait
    // for quiet JITs.
    assertThat(json.getAsJsonObject("prehook").get("warmup_s").getAsDouble())
        .isGreaterThanOrEqualTo(2.3);
    assertThat(json.getAsJsonObject("prehook").has("relay_jit_ms")).isTrue();
    JsonObject ingest = json.getAsJsonObject("ingest");
    assertThat(ingest.get("rows_stored").getAsLong())
        .isPositive()
        .isEqualTo(ingest.get("acknowledged").getAsLong());
    assertThat(ingest.get("baseline_rps").getAsDouble()).isPositive();
    assertThat(ingest.get("warmup_s").getAsDouble()).isGreaterThanOrEqualTo(2.3);
    assertThat(ingest.has("relay_jit_ms")).isTrue();
    JsonObject drain = json.getAsJsonObject("drain");
    assertThat(drain.get("rows").getAsInt()).isEqualTo(500);
    assertThat(drain.get("deliveries").getAsLong()).isGreaterThanOrEqualTo(500);
    assertThat(drain.get("relays").getAsInt()).isEqualTo(2);
    assertThat(drain.get("claim_p50_ms").getAsDouble()).isPositive();
    assertThat(drain.get("relay_cpu_us_per_delivery").getAsDouble()).isPositive();
    JsonObject e2e = json.getAsJsonObject("e2e");
    assertThat(e2e.get("undelivered").getAsLong()).isZero();
    // A hook can reach the integrator before its RPC's answer reaches the caller: that counts as 0.
    assertThat(e2e.get("p99_ms").getAsDouble()).isNotNegative();
    assertThat(e2e.get("rate").getAsDouble()).isPositive();
    assertThat(e2e.get("acknowledged").getAsLong()).isEqualTo(e2e.get("offered").getAsLong());
    assertThat(e2e.getAsJsonObject("failed").keySet()).isEmpty();
    assertThat(json.get("rss_mb").getAsLong()).isPositive();
    assertThat(Files.readString(plot)).contains("<polyline").contains("post-hook end to end");
  }

  @Test
  void calls_that_fail_during_e2e_are_counted_by_status_not_dropped() throws Exception {
    JsonObject json =
        bench(
            "--scenarios", "e2e",
            "--duration", "1s",
            "--drain-rows", "500",
            "--e2e-rate", "1000",
            "--relay-options", "--max-concurrent-calls 1");

    JsonObject e2e = json.getAsJsonObject("e2e");
    JsonObject failed = e2e.getAsJsonObject("failed");
    assertThat(failed.keySet())
        .as("the relay's refusal, and nothing else")
        .containsExactly("RESOURCE_EXHAUSTED");
    long refused = failed.get("RESOURCE_EXHAUSTED").getAsLong();
    assertThat(refused).as("a thousand calls a second through one slot").isPositive();
    assertThat(e2e.get("acknowledged").getAsLong() + refused)
        .isEqualTo(e2e.get("offered").getAsLong());
    assertThat(e2e.get("undelivered").getAsLong()).isZero();
  }

  @Test
  void an_unknown_scenario_exits_64_naming_the_option() {
    CommandResult result =
        run("bench", "--database-url", SERVER, "--scenarios", "prehook,backlogs");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains("--scenarios").contains("backlogs");
  }

  @Test
  void a_backlog_too_small_to_split_in_tenths_exits_64_naming_the_option() {
    CommandResult result =
        run("bench", "--database-url", SERVER, "--scenarios", "backlog", "--backlog-rows", "5");

    assertThat(result.exitCode()).isEqualTo(64);
    assertThat(result.err()).contains("--backlog-rows");
  }
}
