package ccx.hooks.wire;

import ccx.hooks.core.ConfigException;
import ccx.hooks.core.Hook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * Where hooks go and how they are authenticated.
 *
 * @param baseUrl {@code --hook-url}; a path in it is kept ({@code http://h/hooks} sends {@code
 *     pre-add-node} to {@code http://h/hooks/pre-add-node})
 * @param bearerToken {@code --hook-token}, sent as {@code Authorization: Bearer}, if any
 * @param signer the {@code --signing-secret}s, possibly none
 * @param caCertificates {@code --hook-ca}: PEM CA certificates that an {@code https://} integrator
 *     must be signed by, instead of the system trust store
 */
public record HookTarget(
    HttpUrl baseUrl,
    Optional<String> bearerToken,
    WebhookSigner signer,
    Optional<Path> caCertificates) {
  public HookTarget {
    if (baseUrl == null) {
      throw new ConfigException("--hook-url is required");
    }
    bearerToken = bearerToken.filter(t -> !t.isBlank());
    if (caCertificates.isPresent() && !Files.isReadable(caCertificates.get())) {
      throw new ConfigException("--hook-ca: cannot read " + caCertificates.get());
    }
  }

  public HookTarget(HttpUrl baseUrl, Optional<String> bearerToken, WebhookSigner signer) {
    this(baseUrl, bearerToken, signer, Optional.empty());
  }

  /**
   * Parses {@code --hook-url}, naming the option when it is not an http(s) URL. A user or password
   * in it is refused: the relay sends no Basic authentication, and credentials an operator meant to
   * send must not be dropped without a word.
   */
  public static HttpUrl parseUrl(String url) {
    HttpUrl parsed = url == null ? null : HttpUrl.parse(url.trim());
    if (parsed == null) {
      throw new ConfigException(
          "--hook-url: '"
              + redact(url)
              + "' is not an http:// or https:// URL (e.g. http://host:8080)");
    }
    return withoutCredentials("--hook-url", url, parsed);
  }

  /**
   * {@code parsed}, unless it holds a user or password, refused naming {@code option} and showing
   * {@code given} redacted.
   */
  public static HttpUrl withoutCredentials(String option, String given, HttpUrl parsed) {
    if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
      throw new ConfigException(
          option
              + ": '"
              + redact(given)
              + "' holds a user or password, which the relay would not send (it has no Basic"
              + " authentication); remove them, and authenticate with --hook-token or"
              + " --signing-secret");
    }
    return parsed;
  }

  /**
   * {@code url}, which need not parse, as an error may show it: what stands before its last "@" (a
   * user and password) and its query are hidden, as either may hold a secret; line breaks in them
   * too (OkHttp drops them from a user or password, so such a URL still parses).
   */
  public static String redact(String url) {
    return url == null
        ? null
        : url.replaceAll("(?s)^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", "$1***@")
            .replaceAll("(?s)\\?.*", "?***");
  }

  /**
   * The URL as logs and errors may show it: without a user, password or query, which may hold
   * credentials.
   */
  public String display() {
    return withoutCredentials(baseUrl);
  }

  /** The URL of {@code hook} as logs and errors may show it, as {@link #display()}. */
  public String displayOf(Hook hook) {
    return withoutCredentials(urlOf(hook));
  }

  private static String withoutCredentials(HttpUrl url) {
    return url.newBuilder().username("").password("").query(null).build().toString();
  }

  /**
   * True when a bearer token or a signing secret goes to an {@code http://} URL. The secret itself
   * is never sent, but the token is, readable by anyone on the path, and then lets them speak for
   * the relay; a signature over plaintext protects nothing that an observer could not replay.
   */
  public boolean sendsSecretsInPlaintext() {
    boolean secrets = bearerToken.isPresent() || signer.secretCount() > 0;
    return secrets && !baseUrl.isHttps();
  }

  /** Never the token, nor credentials in the URL: records print themselves into logs. */
  @Override
  public String toString() {
    return "HookTarget[baseUrl="
        + display()
        + ", bearerToken="
        + bearerToken.map(t -> "***").orElse("none")
        + ", signingSecrets="
        + signer.secretCount()
        + ", caCertificates="
        + caCertificates.map(Path::toString).orElse("system")
        + "]";
  }

  public HttpUrl urlOf(Hook hook) {
    return baseUrl.newBuilder().addPathSegment(hook.path()).build();
  }
}
