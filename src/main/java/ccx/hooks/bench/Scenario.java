package ccx.hooks.bench;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What {@code bench --scenarios} can run; each is also its key in the JSON results. */
public enum Scenario {
  /** Pre-hook RPCs through the relay, then the same HTTP request sent directly. */
  PREHOOK,
  /** Post-hooks stored per second by an intake-only relay, against single-row INSERTs. */
  INGEST,
  /** A backlog of {@code --drain-rows} rows delivered to the integrator. */
  DRAIN,
  /** An offered rate of post-hooks; latency from the RPC's answer to the integrator's receipt. */
  E2E,
  /** {@code --backlog-rows} rows loaded straight into the outbox, drained, rate per tenth. */
  BACKLOG;

  /** What runs without {@code --scenarios}: the backlog takes minutes, so it is asked for. */
  public static final Set<Scenario> DEFAULTS = EnumSet.of(PREHOOK, INGEST, DRAIN, E2E);

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
