package ccx.hooks.testing;

import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.db.EmbeddedDatabase;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests, found as DESIGN section 8 says: {@code CCX_HOOK_TEST_DATABASE_URL}
 * (CI sets it), else Testcontainers when a Docker engine answers, else an embedded PostgreSQL. Each
 * caller gets a database of its own, created fresh and migrated.
 */
public final class TestDatabase {
  public static final String URL_VARIABLE = "CCX_HOOK_TEST_DATABASE_URL";

  private static DatabaseUrl server;
  private static final java.util.List<String> created = new java.util.ArrayList<>();

  private TestDatabase() {}

  /** A new, migrated database on the test server; close it when done. */
  public static Database create() {
    return create(Optional.empty());
  }

  /**
   * A new, migrated database whose sessions use {@code timeZone} (e.g. "Asia/Kolkata"): for tests
   * that prove nothing depends on the session time zone being UTC.
   */
  public static Database create(Optional<String> timeZone) {
    DatabaseUrl url = createDatabase();
    if (timeZone.isPresent()) {
      String options = "options=-c%20TimeZone%3D" + timeZone.get().replace("/", "%2F");
      url =
          new DatabaseUrl(
              url.jdbcUrl() + (url.jdbcUrl().contains("?") ? "&" : "?") + options,
              url.user(),
              url.password());
    }
    Database database = Database.open(url, 24);
    database.migrate();
    return database;
  }

  /** The host and port of the test server, for a proxy in front of it. */
  public static InetSocketAddress serverAddress() {
    String url = server().jdbcUrl();
    String hostPort = url.substring(url.indexOf("//") + 2).replaceAll("[/?].*", "");
    int colon = hostPort.lastIndexOf(':');
    return colon < 0
        ? InetSocketAddress.createUnresolved(hostPort, 5432)
        : InetSocketAddress.createUnresolved(
            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The same database reached through another host and port (a proxy). */
  public static DatabaseUrl via(DatabaseUrl url, int port) {
    String jdbc = url.jdbcUrl();
    int hostStart = jdbc.indexOf("//") + 2;
    int pathStart = jdbc.indexOf('/', hostStart);
    return new DatabaseUrl(
        "jdbc:postgresql://127.0.0.1:" + port + jdbc.substring(pathStart),
        url.user(),
        url.password());
  }

  /** The URL of a new, empty (unmigrated) database. */
  public static synchronized DatabaseUrl createDatabase() {
    DatabaseUrl admin = server();
    String name =
        "ccx_test_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 12)
                .toLowerCase(Locale.ROOT);
    try (Connection c = connect(admin);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
      created.add(name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create test database on " + admin.display() + ": " + e.getMessage(), e);
    }
    return admin.withDatabase(name);
  }

  private static synchronized DatabaseUrl server() {
    if (server == null) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(TestDatabase::dropCreated, "drop-test-databases"));
      String fromEnvironment = System.getenv(URL_VARIABLE);
      if (fromEnvironment != null && !fromEnvironment.isBlank()) {
        server = DatabaseUrl.parse(fromEnvironment);
      } else if (!"embedded".equals(System.getProperty("ccx.test.postgres")) && dockerAvailable()) {
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17-alpine");
        container.start();
        server =
            new DatabaseUrl(
                container.getJdbcUrl(),
                Optional.of(container.getUsername()),
                Optional.of(container.getPassword()));
      } else {
        EmbeddedDatabase embedded = EmbeddedDatabase.start(Optional.empty());
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
        server = embedded.url("postgres");
      }
    }
    return server;
  }

  /** Test databases do not outlive the test run on a shared server. */
  private static synchronized void dropCreated() {
    if (server == null || created.isEmpty()) {
      return;
    }
    try (Connection c = connect(server);
        Statement s = c.createStatement()) {
      for (String name : created) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      System.err.println("could not drop test databases: " + e.getMessage());
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static Connection connect(DatabaseUrl url) throws SQLException {
    return url.connect(Map.of());
  }
}
