package ccx.hooks.db;

import ccx.hooks.core.ConfigException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --database-url}, either a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=u}) or a
 * libpq-style URI ({@code postgres://user:password@host:5432/db}), as PostgreSQL users write it.
 * Either may name several hosts ({@code postgres://u@h1:5432,h2:5432/db}, {@code
 * jdbc:postgresql://h1:5432,h2:5432/db}): the relay then connects to whichever is the primary, so a
 * failover needs no change of configuration.
 *
 * @param jdbcUrl the URL without credentials
 * @param user the user from the URI, if any (a JDBC URL keeps its own {@code user=} parameter)
 * @param password the password from the URI, if any
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {
  private static final Pattern TARGET_SERVER_TYPE =
      Pattern.compile("[?&]targetServerType=([^&]*)", Pattern.CASE_INSENSITIVE);

  public static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException(
          "--database-url is required (e.g. postgres://user@localhost:5432/ccx_hooks)");
    }
    String trimmed = url.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(withTargetServerType(trimmed), Optional.empty(), Optional.empty());
    }
    if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
      throw new ConfigException(
          "--database-url: expected postgres://user:password@host:port/database or"
              + " jdbc:postgresql://host:port/database, got '"
              + redact(trimmed)
              + "'");
    }
    return PostgresUri.parse(trimmed);
  }

  /** A JDBC URL with several hosts and no {@code targetServerType} gets {@code primary}. */
  private static String withTargetServerType(String jdbc) {
    int hostStart = jdbc.indexOf("//");
    String authority = "";
    if (hostStart >= 0) {
      String rest = jdbc.substring(hostStart + 2);
      authority = rest.split("[/?]", 2)[0];
    }
    Matcher given = TARGET_SERVER_TYPE.matcher(jdbc);
    Optional<String> add =
        TargetServer.forJdbc(
            given.find() ? Optional.of(given.group(1)) : Optional.empty(), authority.contains(","));
    return add.map(p -> jdbc + (jdbc.contains("?") ? "&" : "?") + p).orElse(jdbc);
  }

  /** The same server and credentials, another database. */
  public DatabaseUrl withDatabase(String name) {
    int hostStart = jdbcUrl.indexOf("//") + 2;
    int pathStart = jdbcUrl.indexOf('/', hostStart);
    int query = jdbcUrl.indexOf('?');
    int end = pathStart >= 0 ? pathStart : query >= 0 ? query : jdbcUrl.length();
    return new DatabaseUrl(
        jdbcUrl.substring(0, end) + "/" + name + (query < 0 ? "" : jdbcUrl.substring(query)),
        user,
        password);
  }

  /**
   * A connection of its own, outside any pool, with this URL's credentials.
   *
   * @param properties further driver properties (ApplicationName, timeouts), possibly none
   */
  public Connection connect(Map<String, String> properties) throws SQLException {
    Properties all = new Properties();
    all.putAll(properties);
    user.ifPresent(u -> all.setProperty("user", u));
    password.ifPresent(p -> all.setProperty("password", p));
    return DriverManager.getConnection(jdbcUrl, all);
  }

  /** The URL as it may appear in a log line: without a password. */
  public String display() {
    return redact(jdbcUrl);
  }

  /** Without the password: a record's own toString would print it. */
  @Override
  public String toString() {
    return "DatabaseUrl["
        + display()
        + (user.isPresent() ? ", user " + user.get() : "")
        + (password.isPresent() ? ", password ***" : "")
        + "]";
  }

  /**
   * Hides a password given inline, wherever it stands. Up to the last "@" before the path: a
   * password with an unencoded "@" in it is hidden whole.
   */
  static String redact(String url) {
    return url.replaceAll("(://[^:/@]*:)[^/]*@", "$1***@")
        .replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
