package ccx.hooks.wire;

import ccx.hooks.core.RelayException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** A hook got no usable HTTP answer. The message says why in words an operator can act on. */
public final class HookCallException extends RelayException {
  /** Why there was no answer. */
  public enum Reason {
    /** The circuit breaker is open: the integrator failed recently and is not being called. */
    CIRCUIT_OPEN,
    /** No complete answer within the timeout. */
    TIMEOUT,
    /** Connection refused or reset, DNS or TLS failure. */
    CONNECTION,
    /** The answer's body is larger than the relay accepts. */
    TOO_LARGE,
    /** The relay interrupted the call (it is stopping); the integrator may have received it. */
    INTERRUPTED,
    /** The hook cannot be put into a request (e.g. its webhook-id is no valid header value). */
    UNSENDABLE
  }

  private final Reason reason;

  public HookCallException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * The failure of a call that got no answer: interrupted (the relay stopping), out of time ({@code
   * expired}: cancelled by {@link CallDeadlines}), or a connection or TLS error.
   */
  static HookCallException noAnswer(IOException e, Duration timeout, boolean expired) {
    // An interrupted call (the relay stopping) ends in an IOException too, often an
    // InterruptedIOException: only the interrupt status tells it apart, and it is not the
    // integrator's doing. A call CallDeadlines cancelled ends in a plain IOException ("Canceled").
    if (Thread.currentThread().isInterrupted()) {
      return new HookCallException(
          Reason.INTERRUPTED, "interrupted before an answer: the relay is stopping", e);
    }
    if (expired || e instanceof InterruptedIOException) {
      return new HookCallException(
          Reason.TIMEOUT, "no answer within " + timeout.toMillis() + "ms (timeout)", e);
    }
    if (e instanceof SSLException) {
      return new HookCallException(Reason.CONNECTION, "TLS error: " + e.getMessage(), e);
    }
    return new HookCallException(Reason.CONNECTION, "connection failed: " + describe(e), e);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }
}
