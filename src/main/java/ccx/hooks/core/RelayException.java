package ccx.hooks.core;

/**
 * The root of the relay's own unchecked exceptions. Subclasses carry what their thrower knows as
 * typed fields (the hook, the kind of failure, the database's or the integrator's words), never
 * only in their message, so that no one has to cut a message up to learn them. Where a failure ends
 * a call, the gRPC service logs it once with the call's hook, cluster_id and work_id.
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
