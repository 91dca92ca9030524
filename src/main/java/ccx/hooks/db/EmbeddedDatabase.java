package ccx.hooks.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A PostgreSQL server run by this process from binaries shipped in the jar, for {@code
 * local-server} and for tests on machines with neither a server nor Docker. Its data stays in
 * {@code dataDirectory} between runs.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static EmbeddedDatabase start(Optional<Path> dataDirectory) {
    return start(dataDirectory, 0);
  }

  /**
   * @param port where to listen; 0 picks a free port. A server restarted on its data directory and
   *     port is, to its clients, the same server back again.
   */
  public static EmbeddedDatabase start(Optional<Path> dataDirectory, int port) {
    try {
      // Whoever started it stops it, in order: local-server closes the relay first.
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setRegisterShutdownHook(false)
              // The library's default is off: a crash of PostgreSQL would then lose commits that
              // post-hooks were already acknowledged for.
              .setServerConfig("synchronous_commit", "on");
      if (port > 0) {
        builder.setPort(port);
      }
      if (dataDirectory.isPresent()) {
        Files.createDirectories(dataDirectory.get());
        builder.setDataDirectory(dataDirectory.get()).setCleanDataDirectory(false);
      }
      return new EmbeddedDatabase(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** A JDBC URL for database {@code name} as user {@code postgres}. */
  public DatabaseUrl url(String name) {
    return new DatabaseUrl(
        postgres.getJdbcUrl("postgres", name), Optional.empty(), Optional.empty());
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
