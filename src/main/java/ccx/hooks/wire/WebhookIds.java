package ccx.hooks.wire;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh {@code webhook-id}s, in the {@code msg_} form Standard Webhooks uses. */
public final class WebhookIds {
  private WebhookIds() {}

  /**
   * 128 random bits. They need to be unique, not secret: a thread-local generator, because the
   * shared SecureRandom behind {@code UUID.randomUUID()} showed up as a point of contention under
   * load.
   */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return "msg_" + hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
  }
}
