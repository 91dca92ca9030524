package ccx.hooks.grpc;

import ccx.hooks.db.Database;
import ccx.hooks.outbox.OutboxUnavailableException;
import ccx.hooks.prehook.DeadlineTooShortException;
import ccx.hooks.prehook.NoticeNotQueuedException;
import ccx.hooks.prehook.PreHookException;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status a failed hook call is answered with, and the one line logged about it. Called while
 * the call's {@link ccx.hooks.wire.LogFields} are open, so that line carries the call's hook,
 * cluster_id and work_id as fields of a JSON log; its text names them as well, for a text log.
 *
 * <p>A call the caller got wrong (INVALID_ARGUMENT, DEADLINE_EXCEEDED) is only answered: the caller
 * is told why. An UNAVAILABLE is logged through a {@link ThrottledLog}: a database or integrator
 * outage refuses every call, and must not flood the log with them.
 */
final class FailedCalls {
  private static final Logger log = LoggerFactory.getLogger(HookGrpcService.class);
  private static final ThrottledLog unavailable = new ThrottledLog(HookGrpcService.class);

  private FailedCalls() {}

  static Status status(HookCall call, RuntimeException failure) {
    return switch (failure) {
      case InvalidRequestException e -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
      case DeadlineTooShortException e -> Status.DEADLINE_EXCEEDED.withDescription(e.getMessage());
      case PreHookException e when e.failure() == PreHookException.Failure.CALLERS_DEADLINE ->
          Status.DEADLINE_EXCEEDED.withDescription(CallerMessages.of(e));
      case PreHookException e ->
          unavailable(
              call,
              e.detail() + "; answered UNAVAILABLE (--pre-hook-failure=error)",
              CallerMessages.of(e));
      case NoticeNotQueuedException e ->
          unavailable(
              call,
              e.notSent().detail()
                  + ", and it could not be queued: "
                  + e.notQueued().detail()
                  + "; answered UNAVAILABLE",
              CallerMessages.of(e));
      case OutboxUnavailableException e ->
          unavailable(call, notStored(e) + "; answered UNAVAILABLE", CallerMessages.of(e));
      default -> {
        log.error("{}: unexpected error; answered INTERNAL", call.describe(), failure);
        yield Status.INTERNAL.withDescription("internal error in ccx-hook-service; see its log");
      }
    };
  }

  private static Status unavailable(HookCall call, String what, String told) {
    unavailable.warn(call.describe() + ": " + what);
    return Status.UNAVAILABLE.withDescription(told);
  }

  private static String notStored(OutboxUnavailableException e) {
    return switch (e.reason()) {
      case STOPPING -> "not stored, the relay is stopping";
      case DATABASE ->
          "not stored, the outbox database is "
              + (Database.readOnly(e) ? "read-only" : "unavailable")
              + ": "
              + e.detail();
    };
  }
}
