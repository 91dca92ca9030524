package ccx.hooks.mockhooks;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link MockHooksServer} behaves: each option set by its name (two of them are shares
 * between 0 and 1, and must not trade places), every one with a default, checked when built:
 *
 * <pre>{@code
 * MockHooksOptions.builder().failRate(0.3).delay(Duration.ofMillis(300)).slowRate(0.05).build()
 * }</pre>
 */
public final class MockHooksOptions {
  // Read by MockHooksServer alone; each is documented on its Builder method.
  final String host;
  final int port;
  final boolean reject;
  final double failRate;
  final Duration delay;
  final double slowRate;
  final Optional<Path> record;
  final PrintStream out;

  private MockHooksOptions(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.reject = b.reject;
    this.failRate = b.failRate;
    this.delay = b.delay;
    this.slowRate = b.slowRate;
    this.record = b.record;
    this.out = b.out;
  }

  /** Options to set; the defaults answer every hook at once, and record and print nothing. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults, on {@code port}. */
  public static MockHooksOptions quiet(int port) {
    return builder().port(port).build();
  }

  /** The options of a {@link MockHooksOptions}, each set by its name. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private boolean reject;
    private double failRate;
    private Duration delay = Duration.ZERO;
    private double slowRate = 1;
    private Optional<Path> record = Optional.empty();
    private PrintStream out;

    private Builder() {}

    /**
     * The address to listen on: this machine's loopback by default, as the mock approves anything;
     * 0.0.0.0 for every interface (in a container, say).
     */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Where to listen; 0 (the default) picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Whether approval hooks are answered {@code "approved": false}; by default they approve. */
    public Builder reject(boolean reject) {
      this.reject = reject;
      return this;
    }

    /** The share of requests answered 503, from 0 (the default) to 1. */
    public Builder failRate(double failRate) {
      this.failRate = failRate;
      return this;
    }

    /**
     * How long a slow answer waits; none by default, and every answer is slow ({@link #slowRate}).
     */
    public Builder delay(Duration delay) {
      this.delay = delay;
      return this;
    }

    /** The share of requests that wait {@link #delay}, from 0 to 1 (the default). */
    public Builder slowRate(double slowRate) {
      this.slowRate = slowRate;
      return this;
    }

    /** Appends every hook to {@code file} as a JSON line. */
    public Builder record(Path file) {
      this.record = Optional.of(file);
      return this;
    }

    /** Prints every hook to {@code out}; null (the default) prints nothing. */
    public Builder printTo(PrintStream out) {
      this.out = out;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public MockHooksOptions build() {
      if (slowRate < 0 || slowRate > 1) {
        throw new IllegalArgumentException("--slow-rate must be between 0 and 1, got " + slowRate);
      }
      if (failRate < 0 || failRate > 1) {
        throw new IllegalArgumentException("--fail-rate must be between 0 and 1, got " + failRate);
      }
      if (delay.isNegative()) {
        throw new IllegalArgumentException("--delay must not be negative");
      }
      return new MockHooksOptions(this);
    }
  }
}
