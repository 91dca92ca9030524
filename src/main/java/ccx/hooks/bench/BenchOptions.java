package ccx.hooks.bench;

import ccx.hooks.core.ConfigException;
import ccx.hooks.db.DatabaseUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code bench} measures and how.
 *
 * @param server a PostgreSQL server on which the bench may create (and drop) databases
 * @param scenarios which scenarios run
 * @param duration how long each measured phase runs, after its warm-up
 * @param drainRows the backlog the drain scenario delivers
 * @param backlogRows the backlog the backlog scenario loads into the outbox and delivers
 * @param stuckRows rows of one more cluster, loaded beside the backlog, whose head waits out a
 *     one-hour backoff: they hold back that cluster only, and are not delivered
 * @param expiredRows delivered rows older than the retention, loaded before the backlog: the
 *     relays' retention sweep deletes them while the backlog drains
 * @param relays how many draining relays share the database in the drain and backlog scenarios
 * @param e2eRate post-hooks offered per second in the end-to-end phase
 * @param relayJvmOptions options of the relay's JVM
 * @param relayOptions options of {@code serve} for the draining relays (drain, e2e, backlog)
 * @param workDir where the relays' log goes
 * @param launcher how a relay process is started
 */
public record BenchOptions(
    DatabaseUrl server,
    Set<Scenario> scenarios,
    Duration duration,
    int drainRows,
    int backlogRows,
    int stuckRows,
    int expiredRows,
    int relays,
    int e2eRate,
    Optional<Path> plot,
    boolean keepDatabase,
    List<String> relayJvmOptions,
    List<String> relayOptions,
    Path workDir,
    RelayLauncher launcher) {

  /** The backlog's rows are spread over this many clusters, as issue-sized outages leave them. */
  public static final int BACKLOG_CLUSTERS = 10_000;

  public BenchOptions {
    scenarios = Set.copyOf(scenarios);
    if (scenarios.isEmpty()) {
      throw new ConfigException("--scenarios must name at least one scenario");
    }
    if (duration.isNegative() || duration.toMillis() < 1000) {
      throw new ConfigException("--duration must be at least 1s");
    }
    if (drainRows < 1) {
      throw new ConfigException("--drain-rows must be at least 1");
    }
    if (backlogRows < 10) {
      throw new ConfigException("--backlog-rows must be at least 10 (its rate is given per tenth)");
    }
    if (stuckRows < 0) {
      throw new ConfigException("--stuck-rows must be 0 or more");
    }
    if (expiredRows < 0) {
      throw new ConfigException("--expired-rows must be 0 or more");
    }
    if (relays < 1 || relays > 16) {
      throw new ConfigException("--relays must be between 1 and 16");
    }
    if (e2eRate < 1) {
      throw new ConfigException("--e2e-rate must be at least 1");
    }
  }

  /**
   * The unmeasured drain before the backlog scenario's: a tenth of the backlog, between 10 and
   * 100,000 rows (about 15 s of the relay's JIT warming up at full load).
   */
  static int backlogWarmupRows(int backlogRows) {
    return Math.max(10, Math.min(100_000, backlogRows / 10));
  }

  boolean runs(Scenario scenario) {
    return scenarios.contains(scenario);
  }

  /**
   * How long a fresh relay is loaded before anything is measured: the JIT needs several seconds of
   * load to compile the hot paths, and before that a relay runs at a fraction of its speed.
   */
  Duration relayWarmup() {
    return duration.compareTo(Duration.ofSeconds(10)) < 0
        ? duration.multipliedBy(2)
        : Duration.ofSeconds(20);
  }

  /**
   * The longest a load waits, after its warm-up, for the JITs to be quiet: six times the measured
   * duration, at most a minute. On two shared cores, a relay's JIT has been seen compiling for more
   * than 30 s of a pre-hook load that followed the 20 s warm-up.
   */
  Duration longestJitWait() {
    Duration sixTimes = duration.multipliedBy(6);
    return sixTimes.compareTo(Duration.ofMinutes(1)) < 0 ? sixTimes : Duration.ofMinutes(1);
  }

  /** Warm-up before each measured phase: connections and the bench's own code settle. */
  Duration warmup() {
    return duration.dividedBy(3).compareTo(Duration.ofSeconds(3)) > 0
        ? Duration.ofSeconds(3)
        : duration.dividedBy(3);
  }
}
