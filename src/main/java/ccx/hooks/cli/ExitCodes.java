package ccx.hooks.cli;

/** What the commands exit with. */
final class ExitCodes {
  static final int OK = 0;

  /** A gRPC error, or a failure at run time. */
  static final int FAILURE = 1;

  /** {@code test-client}: a pre-hook did not approve. */
  static final int NOT_APPROVED = 2;

  /** A bad argument or option (BSD's EX_USAGE). */
  static final int USAGE = 64;

  private ExitCodes() {}
}
