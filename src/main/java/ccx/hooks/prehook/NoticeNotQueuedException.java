package ccx.hooks.prehook;

import ccx.hooks.core.RelayException;
import ccx.hooks.outbox.OutboxUnavailableException;

/**
 * A hook that cannot reject got no usable answer, and its copy could not be queued in the outbox
 * either: the integrator has not heard of the work, and the caller must be told to try again.
 */
public final class NoticeNotQueuedException extends RelayException {
  private static final long serialVersionUID = 1L;

  private final PreHookException notSent;
  private final OutboxUnavailableException notQueued;

  NoticeNotQueuedException(PreHookException notSent, OutboxUnavailableException notQueued) {
    super(
        notSent.hook().path()
            + " hook failed ("
            + notSent.detail()
            + ") and could not be queued: "
            + notQueued.detail(),
        notQueued);
    this.notSent = notSent;
    this.notQueued = notQueued;
  }

  /** Why the integrator has not heard of it, and of which hook. */
  public PreHookException notSent() {
    return notSent;
  }

  /** Why it was not queued. */
  public OutboxUnavailableException notQueued() {
    return notQueued;
  }
}
