package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may call the hook RPCs: the relay signs what it delivers, so a caller it does not know could
 * make it tell the integrator that a cluster was deleted.
 *
 * @param tokens {@code --client-token}: bearer tokens a call must carry in its {@code
 *     authorization} metadata; several while a token is rotated
 * @param clientNames {@code --tls-client-names}: names (DNS SAN or CN) a client certificate must
 *     carry, on top of being signed by {@code --tls-client-ca}
 * @param allowUnauthenticated {@code --allow-unauthenticated}: neither is needed, knowingly
 */
public record CallerAuth(
    List<String> tokens, List<String> clientNames, boolean allowUnauthenticated) {
  /**
   * Shortest token accepted: a token is the only thing between the network and the integrator's
   * trust, and 16 random characters are far out of reach of guessing; {@code openssl rand -hex 32}
   * makes 64.
   */
  public static final int MIN_TOKEN_LENGTH = 16;

  public CallerAuth {
    tokens = List.copyOf(tokens);
    clientNames = List.copyOf(clientNames);
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      // The messages number the token and never echo it: they end up in logs and terminals.
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new ConfigException(
            "--client-token: token #"
                + (i + 1)
                + " has "
                + token.length()
                + " characters; use at least "
                + MIN_TOKEN_LENGTH
                + " (e.g. openssl rand -hex 32)");
      }
      if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ConfigException(
            "--client-token: token #" + (i + 1) + " must be printable ASCII without spaces");
      }
    }
  }

  /** Reads {@code --client-token} (space-separated) and {@code --tls-client-names} (commas). */
  public static CallerAuth of(String tokens, String clientNames, boolean allowUnauthenticated) {
    return new CallerAuth(
        split(tokens, "\\s+"), split(clientNames, "\\s*,\\s*"), allowUnauthenticated);
  }

  /** No caller check: for a relay that only its own machine can reach. */
  public static CallerAuth loopbackOnly() {
    return new CallerAuth(List.of(), List.of(), true);
  }

  public boolean checksTokens() {
    return !tokens.isEmpty();
  }

  public boolean checksClientNames() {
    return !clientNames.isEmpty();
  }

  public boolean authenticates() {
    return checksTokens() || checksClientNames();
  }

  private static List<String> split(String text, String separator) {
    List<String> words = new ArrayList<>();
    if (text != null) {
      for (String word : text.trim().split(separator)) {
        if (!word.isBlank()) {
          words.add(word.trim());
        }
      }
    }
    return words;
  }

  @Override
  public String toString() {
    return "CallerAuth[tokens="
        + (tokens.isEmpty() ? "none" : tokens.size() + " (***)")
        + ", clientNames="
        + clientNames
        + ", allowUnauthenticated="
        + allowUnauthenticated
        + "]";
  }
}
