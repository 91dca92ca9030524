package ccx.hooks.outbox;

import ccx.hooks.core.Hook;

/**
 * A hook to store in the outbox.
 *
 * @param payload exactly the JSON body to deliver
 * @param webhookId the {@code webhook-id} every attempt will carry
 * @param traceparent the W3C {@code traceparent} of the call that stored it, continued by every
 *     delivery; null when the call carried none
 */
public record NewHook(
    Hook hook,
    String workId,
    String clusterId,
    String payload,
    String webhookId,
    String traceparent) {

  /** Normalised: an empty {@code traceparent} is stored as null, as none. */
  public NewHook {
    if (traceparent != null && traceparent.isEmpty()) {
      traceparent = null;
    }
  }

  /** A hook stored outside any traced call. */
  public NewHook(Hook hook, String workId, String clusterId, String payload, String webhookId) {
    this(hook, workId, clusterId, payload, webhookId, null);
  }
}
