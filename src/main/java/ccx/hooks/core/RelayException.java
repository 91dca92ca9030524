package ccx.hooks.core;

/**
 * The root of the relay's own unchecked exceptions. Subclasses carry the ids an operator needs
 * (hook, work_id, outbox id) in their message, so one log line says what failed and for whom.
 */
public class RelayException extends RuntimeException {
  public RelayException(String message) {
    super(message);
  }

  public RelayException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The message of the innermost cause: what a log line should say about a wrapped failure. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
