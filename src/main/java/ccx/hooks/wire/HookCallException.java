package ccx.hooks.wire;

import ccx.hooks.core.RelayException;

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
}
