package ccx.hooks.bench;

import ccx.hooks.core.Hook;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The benchmark: relays in child processes, a fast integrator and load generators in this one, all
 * on this machine. Scenarios run in groups, each group on a fresh database: pre-hooks and intake
 * against an intake-only relay; drain and end to end against draining relays; the backlog against
 * draining relays of its own.
 */
public final class Bench {
  private final BenchOptions options;
  private final PrintWriter progress;
  private final Map<String, Histogram> plotted = new TreeMap<>();
  private long peakRssMb;

  public Bench(BenchOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Runs the chosen scenarios and returns what they measured. */
  public BenchResults run() {
    BenchResults.Prehook prehook = null;
    BenchResults.Ingest ingest = null;
    BenchResults.Drain drain = null;
    BenchResults.EndToEnd e2e = null;
    BenchResults.Backlog backlog = null;
    try (BenchIntegrator integrator = new BenchIntegrator()) {
      if (options.runs(Scenario.PREHOOK) || options.runs(Scenario.INGEST)) {
        try (BenchDatabase database = newDatabase();
            RelayProcess relay =
                startRelay(integrator, database, List.of("--drain-concurrency", "0"))) {
          IntakeScenarios intake = new IntakeScenarios(options, relay, integrator, plotted);
          progress.println(
              "warm-up: "
                  + seconds(options.relayWarmup())
                  + " of pre- and post-hooks, so the relay's JIT has compiled its hot paths");
          intake.warmUp(options.relayWarmup());
          if (options.runs(Scenario.PREHOOK)) {
            progress.printf(
                Locale.ROOT,
                "prehook: %d callers, %s through the relay, then direct; each measured once the"
                    + " JITs are quiet (at most %s after a %s warm-up)%n",
                IntakeScenarios.PREHOOK_CONCURRENCY,
                seconds(options.duration()),
                seconds(options.longestJitWait()),
                seconds(options.warmup()));
            prehook = intake.prehook();
          }
          if (options.runs(Scenario.INGEST)) {
            progress.printf(
                Locale.ROOT,
                "ingest: %d callers, single-row INSERT baseline, then post-hooks through the relay"
                    + " (not draining)%n",
                IntakeScenarios.INGEST_CONCURRENCY);
            ingest = intake.ingest(database);
          }
          peakRssMb = Math.max(peakRssMb, relay.peakRssMb());
        }
      }
      if (options.runs(Scenario.DRAIN) || options.runs(Scenario.E2E)) {
        try (BenchDatabase database = newDatabase();
            Relays relays = startRelays(integrator, database)) {
          // The draining relays get the warm-up the intake relay gets: an unmeasured drain of the
          // same size first, so that the figures are those of a relay whose JIT has compiled the
          // hot paths (a fresh relay drains at half speed for its first ~20 s), as in production.
          drainBacklog("drain warm-up", relays, integrator, database);
          if (options.runs(Scenario.DRAIN)) {
            BacklogDrain.Drained drained = drainBacklog("drain", relays, integrator, database);
            drain =
                new BenchResults.Drain(
                    BenchResults.round(drained.rps()),
                    drained.rows(),
                    drained.deliveries(),
                    BenchResults.round(drained.seconds()),
                    options.relays(),
                    BenchResults.roundToMicros(drained.claims().percentileMillis(50)),
                    BenchResults.roundToMicros(drained.claims().percentileMillis(99)),
                    drained.relayCpuUsPerDelivery());
          }
          if (options.runs(Scenario.E2E)) {
            progress.printf(
                Locale.ROOT,
                "e2e: %d post-hooks/s offered, %s unmeasured (the intake path's warm-up), then %s%n",
                options.e2eRate(),
                seconds(options.relayWarmup()),
                seconds(options.duration()));
            e2e = EndToEnd.run(options, relays.list().getFirst(), integrator, plotted, progress);
          }
          peakRssMb = Math.max(peakRssMb, relays.peakRssMb());
        }
      }
      if (options.runs(Scenario.BACKLOG)) {
        try (BenchDatabase database = newDatabase()) {
          if (options.expiredRows() > 0) {
            progress.printf(
                Locale.ROOT,
                "backlog: loading %d delivered rows older than the retention%n",
                options.expiredRows());
            database.outbox().insertExpired(options.expiredRows(), Hook.POST_ADD_NODE, "{}");
          }
          backlog = backlog(integrator, database);
        }
      }
    }
    options.plot().ifPresent(file -> LatencyPlot.write(file, plotted));
    return new BenchResults(
        prehook,
        ingest,
        drain,
        e2e,
        backlog,
        peakRssMb,
        new BenchResults.Setup(
            Runtime.getRuntime().availableProcessors(),
            options.duration().toMillis() / 1000.0,
            String.join(" ", options.relayJvmOptions()),
            String.join(" ", options.relayOptions())));
  }

  /** The backlog scenario on {@code database}, with relays of its own. */
  private BenchResults.Backlog backlog(BenchIntegrator integrator, BenchDatabase database) {
    try (Relays relays = startRelays(integrator, database)) {
      // A warm-up drain first, not measured: a fresh relay runs at a fraction of its speed
      // until the JIT has compiled the hot paths, and that would show as a slow first tenths.
      BacklogDrain.drain(
          "backlog warm-up",
          relays.list(),
          integrator,
          database.outbox(),
          BenchOptions.backlogWarmupRows(options.backlogRows()),
          BenchOptions.BACKLOG_CLUSTERS,
          0,
          progress);
      BacklogDrain.Drained drained =
          BacklogDrain.drain(
              "backlog",
              relays.list(),
              integrator,
              database.outbox(),
              options.backlogRows(),
              BenchOptions.BACKLOG_CLUSTERS,
              options.stuckRows(),
              progress);
      BenchResults.Backlog measured =
          new BenchResults.Backlog(
              drained.rows(),
              BenchOptions.BACKLOG_CLUSTERS,
              options.stuckRows(),
              options.expiredRows(),
              options.relays(),
              drained.deliveries(),
              BenchResults.round(drained.seconds()),
              BenchResults.round(drained.rps()),
              drained.tenthsRps(),
              BenchResults.roundToMicros(drained.claims().percentileMillis(50)),
              BenchResults.roundToMicros(drained.claims().percentileMillis(99)),
              drained.relayCpuUsPerDelivery());
      peakRssMb = Math.max(peakRssMb, relays.peakRssMb());
      return measured;
    }
  }

  /** One drain of {@code --drain-rows} over the request clusters, none of them stuck. */
  private BacklogDrain.Drained drainBacklog(
      String label, Relays relays, BenchIntegrator integrator, BenchDatabase database) {
    return BacklogDrain.drain(
        label,
        relays.list(),
        integrator,
        database.outbox(),
        options.drainRows(),
        Requests.CLUSTERS,
        0,
        progress);
  }

  private BenchDatabase newDatabase() {
    return BenchDatabase.create(options.server(), options.keepDatabase(), progress);
  }

  private RelayProcess startRelay(
      BenchIntegrator integrator, BenchDatabase database, List<String> relayOptions) {
    return RelayProcess.start(
        options.launcher(),
        integrator.url(),
        database.url(),
        options.workDir().resolve("bench-relay.log"),
        options.relayJvmOptions(),
        relayOptions);
  }

  /** The draining relays, each with {@code --relay-options}; stopped together. */
  private record Relays(List<RelayProcess> list) implements AutoCloseable {
    long peakRssMb() {
      return list.stream().mapToLong(RelayProcess::peakRssMb).max().orElse(0);
    }

    @Override
    public void close() {
      list.forEach(RelayProcess::close);
    }
  }

  private Relays startRelays(BenchIntegrator integrator, BenchDatabase database) {
    List<RelayProcess> started = new ArrayList<>();
    try {
      for (int i = 0; i < options.relays(); i++) {
        started.add(startRelay(integrator, database, options.relayOptions()));
      }
      return new Relays(List.copyOf(started));
    } catch (RuntimeException e) {
      started.forEach(RelayProcess::close);
      throw e;
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.0fs", d.toMillis() / 1000.0);
  }
}
