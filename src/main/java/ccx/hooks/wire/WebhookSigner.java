package ccx.hooks.wire;

import ccx.hooks.core.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs hooks as Standard Webhooks do: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}
 * with every configured secret, space-separated, so an integrator can rotate secrets without a
 * window in which valid hooks fail verification.
 */
public final class WebhookSigner {
  private static final String PREFIX = "whsec_";
  private final List<SecretKeySpec> keys;

  private WebhookSigner(List<SecretKeySpec> keys) {
    this.keys = List.copyOf(keys);
  }

  /** No secrets: hooks carry no {@code webhook-signature} header. */
  public static WebhookSigner none() {
    return new WebhookSigner(List.of());
  }

  /**
   * Reads secrets written {@code whsec_<base64>} (the prefix is optional), several separated by
   * spaces.
   */
  public static WebhookSigner fromSecrets(String secrets) {
    List<SecretKeySpec> keys = new ArrayList<>();
    for (String secret : secrets.trim().split("\\s+")) {
      if (secret.isEmpty()) {
        continue;
      }
      String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
      byte[] key;
      try {
        key = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        // The message must not echo the secret: it ends up in logs and terminals.
        throw new ConfigException(
            "--signing-secret: secret #" + (keys.size() + 1) + " is not whsec_<base64>");
      }
      if (key.length == 0) {
        throw new ConfigException("--signing-secret: secret #" + (keys.size() + 1) + " is empty");
      }
      keys.add(new SecretKeySpec(key, "HmacSHA256"));
    }
    return new WebhookSigner(keys);
  }

  public int secretCount() {
    return keys.size();
  }

  /** The {@code webhook-signature} header value, or empty when no secret is configured. */
  public Optional<String> sign(String webhookId, long timestampSeconds, String body) {
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    byte[] content =
        (webhookId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
    List<String> signatures = new ArrayList<>(keys.size());
    for (SecretKeySpec key : keys) {
      signatures.add("v1," + Base64.getEncoder().encodeToString(hmac(key, content)));
    }
    return Optional.of(String.join(" ", signatures));
  }

  private static byte[] hmac(SecretKeySpec key, byte[] content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(content);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
