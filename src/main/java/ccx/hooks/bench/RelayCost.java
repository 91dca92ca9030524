package ccx.hooks.bench;

import java.time.Duration;

/** What a relay spent during a load's measured duration: CPU time, and time its JIT compiled. */
final class RelayCost implements ClosedLoad.Window {
  private final RelayProcess relay;
  private Duration cpuAtOpen = Duration.ZERO;
  private long jitMillisAtOpen;
  private Duration cpu = Duration.ZERO;
  private long jitMillis;

  RelayCost(RelayProcess relay) {
    this.relay = relay;
  }

  @Override
  public void opens() {
    jitMillisAtOpen = relay.compilationMillis();
    cpuAtOpen = relay.cpuTime(); // last: the measured duration opens right after it
  }

  @Override
  public void closes() {
    cpu = relay.cpuTime().minus(cpuAtOpen);
    jitMillis = relay.compilationMillis() - jitMillisAtOpen;
  }

  /** CPU time; zero where the platform does not report it. */
  Duration cpu() {
    return cpu;
  }

  /** Milliseconds the relay's JIT spent compiling. */
  long jitMillis() {
    return jitMillis;
  }
}
