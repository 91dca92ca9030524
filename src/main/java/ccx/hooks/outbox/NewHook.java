package ccx.hooks.outbox;

import ccx.hooks.core.Hook;

/**
 * A hook to store in the outbox.
 *
 * @param payload exactly the JSON body to deliver
 * @param webhookId the {@code webhook-id} every attempt will carry
 */
public record NewHook(
    Hook hook, String workId, String clusterId, String payload, String webhookId) {}
