package ccx.hooks.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A PostgreSQL server run by this process from binaries shipped in the jar, for {@code
 * local-server} and for tests on machines with neither a server nor Docker. Its data stays in
 * {@code dataDirectory} between runs.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final Optional<Path> dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Optional<Path> dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
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
              // The library's defaults trade durability for test speed (fsync, synchronous_commit
              // and full_page_writes off): a crash could then lose hooks already acknowledged to
              // CCX. The relay's promise holds only with all three on.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on");
      if (port > 0) {
        builder.setPort(port);
      }
      if (dataDirectory.isPresent()) {
        Files.createDirectories(dataDirectory.get());
        builder.setDataDirectory(dataDirectory.get()).setCleanDataDirectory(false);
      }
      return new EmbeddedDatabase(builder.start(), dataDirectory);
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

  /**
   * Kills the server as a power cut would: SIGKILL to the postmaster and to every backend, no
   * checkpoint. The next {@link #start} on the same data directory replays the WAL. For the chaos
   * run, which must show that nothing acknowledged is lost to a crash. Only for a server started on
   * a data directory of its own.
   */
  public void crash() {
    Path pidFile =
        dataDirectory
            .orElseThrow(() -> new IllegalStateException("crash() needs a data directory"))
            .resolve("postmaster.pid");
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the postmaster's pid from " + pidFile, e);
    }
    ProcessHandle postmaster =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("no postmaster with pid " + pid));
    List<ProcessHandle> backends = postmaster.descendants().toList();
    postmaster.destroyForcibly();
    backends.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : concat(postmaster, backends)) {
      process.onExit().join();
    }
    // Gives up the data directory's lock; its own stop of the dead server fails, and says so.
    close();
  }

  private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
    List<ProcessHandle> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
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
