package ccx.hooks.db;

import ccx.hooks.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code --database-url}, either a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=u}) or a
 * libpq-style URI ({@code postgres://user:password@host:5432/db}), as PostgreSQL users write it.
 *
 * @param jdbcUrl the URL without credentials
 * @param user the user from the URI, if any (a JDBC URL keeps its own {@code user=} parameter)
 * @param password the password from the URI, if any
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

  public static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException(
          "--database-url is required (e.g. postgres://user@localhost:5432/ccx_hooks)");
    }
    String trimmed = url.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(trimmed, Optional.empty(), Optional.empty());
    }
    if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
      throw new ConfigException(
          "--database-url: expected postgres://user:password@host:port/database or"
              + " jdbc:postgresql://host:port/database, got '"
              + redact(trimmed)
              + "'");
    }
    try {
      URI uri = new URI(trimmed);
      // The authority as written, not URI.getHost(): that is null for names with an underscore,
      // which container names (ccx_db) often have and libpq accepts.
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
      String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
      if (hostAndPort.isEmpty() || hostAndPort.startsWith(":")) {
        throw new ConfigException("--database-url: no host in '" + redact(trimmed) + "'");
      }
      String jdbc =
          "jdbc:postgresql://"
              + hostAndPort
              + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      Optional<String> user = Optional.empty();
      Optional<String> password = Optional.empty();
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        String[] parts = authority.substring(0, at).split(":", 2);
        user = Optional.of(decode(parts[0])).filter(s -> !s.isEmpty());
        password = parts.length > 1 ? Optional.of(decode(parts[1])) : Optional.empty();
      }
      return new DatabaseUrl(jdbc, user, password);
    } catch (URISyntaxException e) {
      throw new ConfigException("--database-url: not a valid URI: " + redact(trimmed));
    }
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

  /** Never the password: records print themselves into logs and exception messages. */
  @Override
  public String toString() {
    return "DatabaseUrl[jdbcUrl="
        + display()
        + ", user="
        + user.orElse("")
        + ", password="
        + password.map(p -> "***").orElse("none")
        + "]";
  }

  /** Hides a password given inline, wherever it stands. */
  static String redact(String url) {
    return url.replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@")
        .replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  /** Percent-decoding only, as libpq does: a "+" in a password is a plus, not a space. */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
