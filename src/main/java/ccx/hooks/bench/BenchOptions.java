package ccx.hooks.bench;

import ccx.hooks.ConfigException;
import ccx.hooks.db.DatabaseUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code bench} measures and how.
 *
 * @param server a PostgreSQL server on which the bench may create (and drop) a database
 * @param duration how long each measured phase runs, after its warm-up
 * @param drainRows the least backlog the drain phase delivers
 * @param e2eRate post-hooks offered per second in the end-to-end phase
 * @param relayJvmOptions options of the relay's JVM
 * @param relayOptions options of {@code serve} for the draining relay (drain and e2e phases)
 * @param workDir where the relay's log goes
 */
public record BenchOptions(
    DatabaseUrl server,
    Duration duration,
    int drainRows,
    int e2eRate,
    Optional<Path> plot,
    boolean keepDatabase,
    List<String> relayJvmOptions,
    List<String> relayOptions,
    Path workDir) {

  public BenchOptions {
    if (duration.isNegative() || duration.toMillis() < 1000) {
      throw new ConfigException("--duration must be at least 1s");
    }
    if (drainRows < 1) {
      throw new ConfigException("--drain-rows must be at least 1");
    }
    if (e2eRate < 1) {
      throw new ConfigException("--e2e-rate must be at least 1");
    }
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

  /** Warm-up before each measured phase: connections and the bench's own code settle. */
  Duration warmup() {
    return duration.dividedBy(3).compareTo(Duration.ofSeconds(3)) > 0
        ? Duration.ofSeconds(3)
        : duration.dividedBy(3);
  }
}
