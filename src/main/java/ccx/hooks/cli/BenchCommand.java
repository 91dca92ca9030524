package ccx.hooks.cli;

import ccx.hooks.bench.Bench;
import ccx.hooks.bench.BenchOptions;
import ccx.hooks.bench.BenchResults;
import ccx.hooks.bench.RelayLauncher;
import ccx.hooks.bench.Scenario;
import ccx.hooks.core.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
          + " (serve) as a child process, a fast integrator and load generators, and runs the --scenarios:",
      "  prehook  pre-hook RPCs through the relay vs. the same HTTP request sent directly (16 callers);",
      "  ingest   post-hooks stored per second (relay not draining) vs. single-row INSERTs over JDBC (64 callers)",
      "           into a table indexed as the outbox's active partition;",
      "  drain    after an unmeasured warm-up drain of the same size, a backlog of --drain-rows rows over 1,000",
      "           clusters delivered to the integrator;",
      "  e2e      --e2e-rate post-hooks/s offered; latency from the RPC's answer to the integrator's receipt;",
      "  backlog  --backlog-rows rows over 10,000 clusters loaded into the outbox with one INSERT, then drained:",
      "           mean rate, rate per tenth of the rows, and the claim statement's p50/p99 (ccx_hook_claim_seconds).",
      "Prints a table; with --json, one JSON object as the last line. The databases are dropped at the end."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin DatabaseOption database;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = "Measured time of each phase (after a warm-up).")
  Duration duration;

  @Option(
      names = "--drain-rows",
      paramLabel = "N",
      defaultValue = "50000",
      description = "The backlog the drain scenario delivers.")
  int drainRows;

  @Option(
      names = "--scenarios",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "prehook,ingest,drain,e2e",
      description = "Scenarios to run, comma-separated: prehook, ingest, drain, e2e, backlog.")
  List<Scenario> scenarios;

  @Option(
      names = "--backlog-rows",
      paramLabel = "N",
      defaultValue = "1000000",
      description =
          "Rows the backlog scenario loads into the outbox (over 10,000 clusters) and drains.")
  int backlogRows;

  @Option(
      names = "--stuck-rows",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "With backlog: one more cluster of N rows whose head waits out a one-hour backoff,",
        "loaded beside the backlog. Its rows are not delivered; the rate of the others is",
        "what a stuck cluster costs them."
      })
  int stuckRows;

  @Option(
      names = "--expired-rows",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "With backlog: N delivered rows (each with one attempt) older than the retention, loaded",
        "before the backlog; the relays' retention sweep deletes them while the backlog drains,",
        "so the rate shows what retention costs a drain."
      })
  int expiredRows;

  @Option(
      names = "--relays",
      paramLabel = "N",
      defaultValue = "1",
      description = "Draining relays sharing the one database in the drain and backlog scenarios.")
  int relays;

  @Option(
      names = "--e2e-rate",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Post-hooks per second offered in the e2e phase.")
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
      description = "Keep the bench databases afterwards (to inspect them).")
  boolean keepDatabase;

  @Option(
      names = "--relay-jvm-options",
      paramLabel = "OPTIONS",
      defaultValue = "-Xmx256m",
      description =
          "JVM options of the relay under test, space-separated. They come after the options the"
              + " relay ships with ("
              + RelayLauncher.DEFAULT_JVM_OPTIONS_TEXT
              + "); for another collector, unselect serial first:"
              + " \"-XX:-UseSerialGC -XX:+UseG1GC\".")
  String relayJvmOptions;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "target/bench",
      description = "Where the relays' log goes.")
  Path workDir;

  @Option(
      names = "--relay-options",
      paramLabel = "OPTIONS",
      defaultValue = "",
      description = {
        "Options of serve for the draining relays, space-separated (e.g. \"--drain-concurrency 32\").",
        "Default: none."
      })
  String relayOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!database.isSet()) {
      throw new ConfigException(
          "--database-url is required: a PostgreSQL server on which bench may create a database");
    }
    BenchOptions options =
        new BenchOptions(
            database.parse(),
            Set.copyOf(scenarios),
            duration,
            drainRows,
            backlogRows,
            stuckRows,
            expiredRows,
            relays,
            e2eRate,
            Optional.ofNullable(plot),
            keepDatabase,
            words(relayJvmOptions),
            words(relayOptions),
            workDir,
            RelayLauncher.sameJvm(Main.class.getName()));
    Logging.quiet();
    PrintWriter out = spec.commandLine().getOut();
    BenchResults results = new Bench(options, spec.commandLine().getErr()).run();
    results.printTable(out);
    if (plot != null) {
      out.println("latency plot: " + plot);
    }
    if (json) {
      out.println(results.toJson());
    }
    return ExitCodes.OK;
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }
}
