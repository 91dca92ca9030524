package ccx.hooks.outbox;

import ccx.hooks.core.RelayException;

/** The outbox's database could not be reached or did not answer; nothing was stored. */
public final class OutboxUnavailableException extends RelayException {
  public OutboxUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
