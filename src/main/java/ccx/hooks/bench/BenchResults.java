package ccx.hooks.bench;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;

/**
 * What one {@code bench} run measured. Printed as JSON with snake_case keys ({@code relayRps} is
 * {@code relay_rps}); a scenario that did not run is absent.
 *
 * @param rssMb the highest peak resident memory of any relay the run started
 */
public record BenchResults(
    Prehook prehook,
    Ingest ingest,
    Drain drain,
    EndToEnd e2e,
    Backlog backlog,
    long rssMb,
    Setup setup) {

  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .disableHtmlEscaping()
          .create();

  /**
   * Pre-hooks through the relay against the same HTTP request sent directly.
   *
   * @param warmupS how long the relayed load ran before it was measured: the warm-up, then the wait
   *     for quiet JITs
   * @param relayJitMs milliseconds the relay's JIT compiled while the relayed load was measured
   */
  public record Prehook(
      double relayRps,
      double directRps,
      double p50Ms,
      double p99Ms,
      double directP50Ms,
      double directP99Ms,
      int concurrency,
      double relayCpuUsPerCall,
      double warmupS,
      long relayJitMs) {}

  /**
   * Post-hooks stored by an intake-only relay against single-row INSERTs over JDBC.
   *
   * @param warmupS how long the relayed load ran before it was measured
   * @param relayJitMs milliseconds the relay's JIT compiled while the relayed load was measured
   */
  public record Ingest(
      double rps,
      double baselineRps,
      int concurrency,
      double seconds,
      long acknowledged,
      long rowsStored,
      double warmupS,
      long relayJitMs) {}

  /** A backlog delivered; the rate runs from the integrator's first receipt to its last. */
  public record Drain(
      double rps,
      int rows,
      long deliveries,
      double seconds,
      int relays,
      double claimP50Ms,
      double claimP99Ms,
      double relayCpuUsPerDelivery) {}

  /**
   * Latency from a post-hook's answer to the integrator's receipt, at an offered rate.
   *
   * @param rate post-hooks acknowledged per second
   * @param offered the calls made
   * @param acknowledged the calls the relay answered with success
   * @param failed the calls that did not succeed, by gRPC status ({@code RESOURCE_EXHAUSTED}: the
   *     relay's in-flight limit; {@code UNAVAILABLE}: the outbox could not store them; {@code
   *     DEADLINE_EXCEEDED}: no answer in time, though the hook may have been stored)
   */
  public record EndToEnd(
      double rate,
      int offeredRate,
      double p50Ms,
      double p99Ms,
      long undelivered,
      long offered,
      long acknowledged,
      SortedMap<String, Long> failed) {

    public long failedTotal() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A large backlog loaded straight into the outbox and drained.
   *
   * @param tenthsRps the delivery rate in each tenth of the rows, first to last: a drain whose cost
   *     grows with the rows behind it shows falling figures
   * @param claimP50Ms the claim statement's time as the relays measured it ({@code
   *     ccx_hook_claim_seconds}), over the whole drain
   */
  public record Backlog(
      int rows,
      int clusters,
      int stuckRows,
      int expiredRows,
      int relays,
      long deliveries,
      double seconds,
      double rps,
      List<Double> tenthsRps,
      double claimP50Ms,
      double claimP99Ms,
      double relayCpuUsPerDelivery) {}

  /** Where the figures were measured. */
  public record Setup(int cores, double durationS, String relayJvmOptions, String relayOptions) {}

  public String toJson() {
    return GSON.toJson(this);
  }

  public void printTable(PrintWriter out) {
    new ResultTable(out).print(this);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /**
   * A relay's CPU time per operation in microseconds, or -1 where the platform does not report a
   * process's CPU time (it reads as zero) or nothing was done.
   */
  static double cpuMicrosPer(Duration cpu, long operations) {
    return cpu.isZero() || operations == 0 ? -1 : round(cpu.toNanos() / 1e3 / operations);
  }

  /** Milliseconds to three decimals: claims can take well under a tenth of one. */
  static double roundToMicros(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
