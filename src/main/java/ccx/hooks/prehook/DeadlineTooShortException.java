package ccx.hooks.prehook;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import java.time.Duration;

/**
 * The caller's deadline left too little time to ask the integrator: the pre-hook was not sent, and
 * nothing was counted against the integrator.
 */
public final class DeadlineTooShortException extends RelayException {
  private static final long serialVersionUID = 1L;

  DeadlineTooShortException(Hook hook, Duration left, Duration needed) {
    super(
        hook.path()
            + " not sent: the call's deadline leaves "
            + Math.max(0, left.toMillis())
            + "ms, and the relay needs at least "
            + needed.toMillis()
            + "ms to ask the integrator");
  }
}
