package ccx.hooks.wire;

import java.util.UUID;

/** Fresh {@code webhook-id}s, in the {@code msg_} form Standard Webhooks uses. */
public final class WebhookIds {
  private WebhookIds() {}

  public static String next() {
    return "msg_" + UUID.randomUUID().toString().replace("-", "");
  }
}
