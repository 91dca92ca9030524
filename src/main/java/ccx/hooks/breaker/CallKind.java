package ccx.hooks.breaker;

import java.util.Locale;

/** Which side of the relay makes a call: each has breakers of its own. */
public enum CallKind {
  /** A synchronous pre-hook, answered to CCX while it waits. */
  PREHOOK,
  /** A delivery of an outbox row by the drainer. */
  DELIVERY;

  /** The value of the {@code kind} label in {@code /metrics}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
