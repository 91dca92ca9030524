package ccx.hooks.cli;

import ccx.hooks.bench.Bench;
import ccx.hooks.bench.BenchOptions;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the relay on this machine: it creates a database on the --database-url server, starts the relay"
          + " (serve) as a child process, a fast integrator and load generators, and runs four scenarios:",
      "  prehook  pre-hook RPCs through the relay vs. the same HTTP request sent directly (16 callers);",
      "  ingest   post-hooks stored per second (relay not draining) vs. single-row INSERTs over JDBC (64 callers);",
      "  drain    a backlog of --drain-rows rows delivered to the integrator;",
      "  e2e      --e2e-rate post-hooks/s offered; latency from the RPC's answer to the integrator's receipt.",
      "Prints a table; with --json, one JSON object as the last line. The database is dropped at the end."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin DatabaseOption database;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = "Measured time of each phase (after a warm-up). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--drain-rows",
      paramLabel = "N",
      defaultValue = "50000",
      description = "The least backlog the drain phase delivers. Default: ${DEFAULT-VALUE}.")
  int drainRows;

  @Option(
      names = "--e2e-rate",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Post-hooks per second offered in the e2e phase. Default: ${DEFAULT-VALUE}.")
  int e2eRate;

  @Option(names = "--json", description = "Print the results as one JSON object, as the last line.")
  boolean json;

  @Option(
      names = "--plot",
      paramLabel = "FILE",
      description = "Write the latency distributions to FILE as an SVG.")
  Path plot;

  @Option(
      names = "--keep-database",
      description = "Keep the bench database afterwards (to inspect it).")
  boolean keepDatabase;

  @Option(
      names = "--relay-jvm-options",
      paramLabel = "OPTIONS",
      defaultValue = "-Xmx256m",
      description =
          "JVM options of the relay under test, space-separated. Default: ${DEFAULT-VALUE}.")
  String relayJvmOptions;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "target/bench",
      description = "Where the relay's log goes. Default: ${DEFAULT-VALUE}.")
  Path workDir;

  @Option(
      names = "--relay-options",
      paramLabel = "OPTIONS",
      defaultValue = "",
      description =
          "Options of serve for the draining relay, space-separated (e.g. \"--drain-concurrency 32\"). Default: none.")
  String relayOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!database.isSet()) {
      throw new ccx.hooks.ConfigException(
          "--database-url is required: a PostgreSQL server on which bench may create a database");
    }
    BenchOptions options =
        new BenchOptions(
            database.parse(),
            duration,
            drainRows,
            e2eRate,
            Optional.ofNullable(plot),
            keepDatabase,
            words(relayJvmOptions),
            words(relayOptions),
            workDir);
    Logging.quiet();
    PrintWriter out = spec.commandLine().getOut();
    JsonObject result = new Bench(options, spec.commandLine().getErr()).run();
    printTable(out, result);
    if (plot != null) {
      out.println("latency plot: " + plot);
    }
    if (json) {
      out.println(result);
    }
    return ExitCodes.OK;
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  static void printTable(PrintWriter out, JsonObject r) {
    JsonObject pre = r.getAsJsonObject("prehook");
    JsonObject ingest = r.getAsJsonObject("ingest");
    JsonObject drain = r.getAsJsonObject("drain");
    JsonObject e2e = r.getAsJsonObject("e2e");
    double relayRps = pre.get("relay_rps").getAsDouble();
    double directRps = pre.get("direct_rps").getAsDouble();
    double added = pre.get("p99_ms").getAsDouble() - pre.get("direct_p99_ms").getAsDouble();
    double ingestRatio = ingest.get("rps").getAsDouble() / ingest.get("baseline_rps").getAsDouble();
    String format = "%-9s %-44s %-26s %s%n";
    out.printf(Locale.ROOT, format, "SCENARIO", "MEASURE", "RESULT", "GOAL");
    out.printf(
        Locale.ROOT,
        format,
        "prehook",
        "RPCs/s through the relay vs. direct HTTP",
        String.format(
            Locale.ROOT, "%.0f vs %.0f (%.2fx)", relayRps, directRps, relayRps / directRps),
        ">= 0.5x");
    out.printf(
        Locale.ROOT,
        format,
        "prehook",
        "p50 / p99 through the relay",
        String.format(
            Locale.ROOT,
            "%.2f / %.2f ms",
            pre.get("p50_ms").getAsDouble(),
            pre.get("p99_ms").getAsDouble()),
        "");
    out.printf(
        Locale.ROOT,
        format,
        "prehook",
        "p99 added by the relay",
        String.format(Locale.ROOT, "%.2f ms", added),
        "<= 2 ms");
    out.printf(
        Locale.ROOT,
        format,
        "ingest",
        "post-hooks stored/s vs. single-row INSERTs/s",
        String.format(
            Locale.ROOT,
            "%.0f vs %.0f (%.2fx)",
            ingest.get("rps").getAsDouble(),
            ingest.get("baseline_rps").getAsDouble(),
            ingestRatio),
        ">= 1.0x");
    out.printf(
        Locale.ROOT,
        format,
        "drain",
        "deliveries/s, backlog of " + drain.get("rows").getAsInt(),
        String.format(Locale.ROOT, "%.0f", drain.get("rps").getAsDouble()),
        ">= 5000");
    out.printf(
        Locale.ROOT,
        format,
        "e2e",
        "p50 / p99 from answer to integrator",
        String.format(
            Locale.ROOT,
            "%.2f / %.2f ms at %.0f/s",
            e2e.get("p50_ms").getAsDouble(),
            e2e.get("p99_ms").getAsDouble(),
            e2e.get("rate").getAsDouble()),
        "p99 <= 50 ms at >= 1000/s");
    out.printf(
        Locale.ROOT,
        format,
        "memory",
        "relay peak RSS",
        r.get("rss_mb").getAsLong() + " MB",
        "<= 512 MB");
  }
}
