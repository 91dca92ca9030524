package ccx.hooks.grpc;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings that callers can cause: one per refused call (naming the caller's address, the method
 * and why, never what the caller sent) and one per call that failed for want of the database. A
 * hostile caller or a long outage must not flood the log, so at most {@link #LINES_PER_SECOND}
 * lines are written a second; the next line written says how many were left out.
 */
final class ThrottledLog {
  static final int LINES_PER_SECOND = 20;

  private final Logger log;
  private long windowStartNanos = System.nanoTime();
  private int linesInWindow;
  private int suppressed;

  ThrottledLog(Class<?> owner) {
    this.log = LoggerFactory.getLogger(owner);
  }

  /** Logs the refusal of {@code call} with the status {@code code} for {@code why}. */
  void refused(ServerCall<?, ?> call, String code, String why) {
    warn(
        "Refused a gRPC call to "
            + call.getMethodDescriptor().getFullMethodName()
            + " from "
            + peer(call)
            + ": "
            + why
            + " ("
            + code
            + ")");
  }

  void warn(String line) {
    int left;
    // Held only to count, never while logging: no I/O under the lock.
    synchronized (this) {
      long now = System.nanoTime();
      if (now - windowStartNanos >= 1_000_000_000L) {
        windowStartNanos = now;
        linesInWindow = 0;
      }
      if (linesInWindow >= LINES_PER_SECOND) {
        suppressed++;
        return;
      }
      linesInWindow++;
      left = suppressed;
      suppressed = 0;
    }
    log.warn("{}{}", line, left == 0 ? "" : " (" + left + " similar lines left out before this)");
  }

  /** The caller's address as the transport saw it. */
  static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return address == null ? "an unknown address" : address.toString().replaceFirst("^/", "");
  }
}
