package ccx.hooks.db;

import ccx.hooks.core.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A libpq connection URI, {@code postgres://[user[:password]@][host[:port][,...]][/db][?params]},
 * turned into pgjdbc's form. Several hosts, in the authority or as libpq's {@code host=h1,h2} and
 * {@code port=p1,p2} parameters, become pgjdbc's host list; libpq's {@code target_session_attrs}
 * becomes pgjdbc's {@code targetServerType}. Parsed by hand: {@link URI} rejects a list of IPv6
 * hosts, which libpq accepts.
 */
final class PostgresUri {
  private static final Pattern HOST = Pattern.compile("\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private PostgresUri() {}

  static DatabaseUrl parse(String uri) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    int authorityEnd = firstOf(rest, '/', '?');
    String authority = rest.substring(0, authorityEnd);
    String pathAndQuery = rest.substring(authorityEnd);
    try {
      // Path and query are checked as a URI would be: a space or a bad %-escape is an error here.
      new URI("postgres://h" + pathAndQuery);
    } catch (URISyntaxException e) {
      throw new ConfigException("--database-url: not a valid URI: " + DatabaseUrl.redact(uri));
    }
    int query = pathAndQuery.indexOf('?');
    String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    List<String> parameters = new ArrayList<>();
    Optional<String> hostParameter = Optional.empty();
    Optional<String> portParameter = Optional.empty();
    Optional<String> sessionAttrs = Optional.empty();
    if (query >= 0) {
      for (String parameter : pathAndQuery.substring(query + 1).split("&")) {
        String name = parameter.substring(0, Math.max(0, parameter.indexOf('=')));
        String value = parameter.substring(parameter.indexOf('=') + 1);
        switch (name) {
          case "host" -> hostParameter = Optional.of(decode(value, uri));
          case "port" -> portParameter = Optional.of(decode(value, uri));
          case "target_session_attrs" -> sessionAttrs = Optional.of(decode(value, uri));
          default -> {
            if (!parameter.isEmpty()) {
              parameters.add(parameter);
            }
          }
        }
      }
    }
    int at = authority.lastIndexOf('@');
    String hostList = authority.substring(at + 1);
    if (!hostList.isEmpty() && hostParameter.isPresent()) {
      throw new ConfigException(
          "--database-url: hosts given both before the path and as host=, in '"
              + DatabaseUrl.redact(uri)
              + "'; give them once");
    }
    List<String> hosts = hosts(hostParameter.orElse(hostList), portParameter, uri);
    String target = TargetServer.fromSessionAttrs(sessionAttrs, hosts.size() > 1);
    if (!target.isEmpty()) {
      parameters.add("targetServerType=" + target);
    }
    String jdbc =
        "jdbc:postgresql://"
            + String.join(",", hosts)
            + (path.isEmpty() ? "/" : path)
            + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters));
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    if (at >= 0) {
      String[] parts = authority.substring(0, at).split(":", 2);
      user = Optional.of(decode(parts[0], uri)).filter(s -> !s.isEmpty());
      password = parts.length > 1 ? Optional.of(decode(parts[1], uri)) : Optional.empty();
    }
    return new DatabaseUrl(jdbc, user, password);
  }

  /** {@code host[:port]} entries; a port list of one applies to every host, as in libpq. */
  private static List<String> hosts(String hostList, Optional<String> portList, String uri) {
    String[] entries = hostList.split(",", -1);
    String[] ports = portList.map(p -> p.split(",", -1)).orElse(new String[0]);
    if (ports.length > 1 && ports.length != entries.length) {
      throw new ConfigException(
          "--database-url: "
              + ports.length
              + " ports for "
              + entries.length
              + " hosts in '"
              + DatabaseUrl.redact(uri)
              + "'; give one port, or one per host");
    }
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      int colon =
          entry.startsWith("[") ? entry.indexOf(':', entry.indexOf(']')) : entry.indexOf(':');
      String host = colon < 0 ? entry : entry.substring(0, colon);
      String port =
          colon >= 0
              ? entry.substring(colon + 1)
              : ports.length == 0 ? "" : ports[ports.length == 1 ? 0 : i];
      if (host.isEmpty()) {
        throw new ConfigException("--database-url: no host in '" + DatabaseUrl.redact(uri) + "'");
      }
      if (host.startsWith("/") || host.startsWith("%2F") || host.startsWith("%2f")) {
        throw new ConfigException(
            "--database-url: '"
                + host
                + "' is a Unix socket directory; the relay connects over TCP: give host:port");
      }
      if (!HOST.matcher(host).matches()) {
        throw new ConfigException(
            "--database-url: '"
                + host
                + "' is not a host name or address in '"
                + DatabaseUrl.redact(uri)
                + "'");
      }
      if (!port.isEmpty()
          && (!PORT.matcher(port).matches()
              || Integer.parseInt(port) < 1
              || Integer.parseInt(port) > 65535)) {
        throw new ConfigException(
            "--database-url: port '"
                + port
                + "' of host "
                + host
                + " is not a port number (1-65535)");
      }
      hosts.add(port.isEmpty() ? host : host + ":" + port);
    }
    return hosts;
  }

  private static int firstOf(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? (j < 0 ? s.length() : j) : (j < 0 ? i : Math.min(i, j));
  }

  /** Percent-decoding only, as libpq does: a "+" in a password is a plus, not a space. */
  private static String decode(String s, String uri) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "--database-url: a bad %-escape in '" + DatabaseUrl.redact(uri) + "'");
    }
  }
}
