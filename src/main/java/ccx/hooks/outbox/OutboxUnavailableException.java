package ccx.hooks.outbox;

import ccx.hooks.core.RelayException;

/**
 * The outbox could not store hooks; none of them was stored. One exception may reach every caller
 * whose hook was in the transaction that failed (group commit), so it names none of their hooks:
 * each caller knows its own, and says which when it logs.
 */
public final class OutboxUnavailableException extends RelayException {
  private static final long serialVersionUID = 1L;

  /** Why nothing was stored. */
  public enum Reason {
    /** The database could not be reached, or did not commit (a read-only standby among others). */
    DATABASE,
    /**
     * The relay is stopping and takes no more hooks: the database was not asked, or (the caller
     * interrupted while it waited) its answer was not awaited, and the hooks may yet be stored.
     * Either way a retry is safe: a repeat of a stored post-hook stores nothing new.
     */
    STOPPING
  }

  private final Reason reason;

  private OutboxUnavailableException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The relay is stopping, or its caller stopped waiting: see {@link Reason#STOPPING}. */
  public static OutboxUnavailableException stopping(String message, Throwable cause) {
    return new OutboxUnavailableException(Reason.STOPPING, message, cause);
  }

  /** The database did not store the hooks of a transaction; {@code cause} says why. */
  public static OutboxUnavailableException database(Throwable cause) {
    return database("the outbox database did not store the hooks: " + rootMessage(cause), cause);
  }

  static OutboxUnavailableException database(String message, Throwable cause) {
    return new OutboxUnavailableException(Reason.DATABASE, message, cause);
  }

  public Reason reason() {
    return reason;
  }

  /**
   * Why, in the words of the database or its driver when it was asked ({@code Connection refused}):
   * for the relay's log, never for a caller, as it may name the database's host or user.
   */
  public String detail() {
    return reason == Reason.STOPPING ? getMessage() : rootMessage(this);
  }
}
