package ccx.hooks.db;

import ccx.hooks.core.ConfigException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which of several hosts the relay connects to. The relay writes every hook it takes, so only a
 * primary will do: with several hosts it asks pgjdbc for {@code targetServerType=primary} (pgjdbc
 * then checks {@code transaction_read_only} on each new connection and skips standbys), and it
 * refuses a URL that asks for a standby.
 */
final class TargetServer {
  /** pgjdbc's values that connect to a standby when one is up. */
  private static final Set<String> STANDBY_TYPES =
      Set.of("secondary", "slave", "prefersecondary", "preferslave");

  private TargetServer() {}

  /**
   * pgjdbc's {@code targetServerType} for libpq's {@code target_session_attrs}; empty to add none.
   *
   * @param severalHosts without {@code target_session_attrs}, several hosts get {@code primary}
   *     (libpq's default, {@code any}, would land on whichever host answers first)
   */
  static String fromSessionAttrs(Optional<String> attrs, boolean severalHosts) {
    if (attrs.isEmpty()) {
      return severalHosts ? "primary" : "";
    }
    return switch (attrs.get()) {
      case "any" -> "any";
      case "primary", "read-write" -> "primary";
      case "standby", "read-only", "prefer-standby" ->
          throw new ConfigException(
              "--database-url: target_session_attrs="
                  + attrs.get()
                  + " would connect to a standby, where hooks cannot be stored; use primary");
      default ->
          throw new ConfigException(
              "--database-url: target_session_attrs="
                  + attrs.get()
                  + " is not one of any, primary, read-write");
    };
  }

  /**
   * Checks a JDBC URL's {@code targetServerType}; returns the parameter to add, if any.
   *
   * @param given the URL's {@code targetServerType}, if it has one
   */
  static Optional<String> forJdbc(Optional<String> given, boolean severalHosts) {
    if (given.isPresent()) {
      if (STANDBY_TYPES.contains(given.get().toLowerCase(Locale.ROOT))) {
        throw new ConfigException(
            "--database-url: targetServerType="
                + given.get()
                + " would connect to a standby, where hooks cannot be stored; use primary");
      }
      return Optional.empty();
    }
    return severalHosts ? Optional.of("targetServerType=primary") : Optional.empty();
  }
}
