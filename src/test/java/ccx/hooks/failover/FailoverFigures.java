package ccx.hooks.failover;

import ccx.hooks.chaos.ChaosAudit;
import ccx.hooks.chaos.HookSender;
import java.util.List;
import java.util.Locale;

/** The one line a failover run prints: the audit, and how long the switch was felt. */
record FailoverFigures(
    ChaosAudit.Result audit,
    int unavailable,
    double unavailableWindow,
    double firstStoredAfterPromotion,
    double promotedAfterKill,
    double nothingStored,
    double notReady) {

  FailoverFigures(
      ChaosAudit.Result audit,
      HookSender sender,
      long killedAt,
      long promotedAt,
      List<ReadinessWatch> watches) {
    this(
        audit,
        sender.unavailableAt().size(),
        window(sender.unavailableAt()),
        (sender.firstAcknowledgedAfter(promotedAt).orElse(promotedAt) - promotedAt) / 1e9,
        (promotedAt - killedAt) / 1e9,
        (sender.firstAcknowledgedAfter(promotedAt).orElse(promotedAt) - killedAt) / 1e9,
        watches.stream()
            .mapToDouble(w -> w.notReadySecondsAfter(killedAt, System.nanoTime()))
            .max()
            .orElse(0));
  }

  /** From the first UNAVAILABLE answer to the last, in seconds; 0 when there was none. */
  private static double window(List<Long> times) {
    if (times.isEmpty()) {
      return 0;
    }
    long first = times.stream().mapToLong(t -> t).min().orElseThrow();
    long last = times.stream().mapToLong(t -> t).max().orElseThrow();
    return (last - first) / 1e9;
  }

  String line() {
    return String.format(
        Locale.ROOT,
        "failover: sent %d, acknowledged %d, delivered %d, lost %d, duplicates %d, out-of-order %d;"
            + " no hook stored for %.1fs (replica promoted %.1fs after the kill, first hook stored"
            + " %.2fs after the promotion); %d UNAVAILABLE answers over %.1fs; /readyz not ready"
            + " for %.1fs",
        audit.sent(),
        audit.acknowledged(),
        audit.delivered(),
        audit.lost(),
        audit.duplicates(),
        audit.outOfOrder(),
        nothingStored,
        promotedAfterKill,
        firstStoredAfterPromotion,
        unavailable,
        unavailableWindow,
        notReady);
  }
}
