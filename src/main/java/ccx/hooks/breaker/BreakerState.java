package ccx.hooks.breaker;

/** The state of an endpoint's breaker, as {@code /metrics} shows it. */
public enum BreakerState {
  /** Calls go through. */
  CLOSED(0),
  /** A few probe calls go through; their outcome closes or reopens the breaker. */
  HALF_OPEN(1),
  /** No calls: the endpoint is out; rows wait without spending attempts. */
  OPEN(2);

  private final int gaugeValue;

  BreakerState(int gaugeValue) {
    this.gaugeValue = gaugeValue;
  }

  /** The value of {@code ccx_hook_breaker_state}. */
  public int gaugeValue() {
    return gaugeValue;
  }
}
