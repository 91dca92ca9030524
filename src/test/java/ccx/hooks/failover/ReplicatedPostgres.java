package ccx.hooks.failover;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary and one streaming replica on this machine, from the embedded binaries (the
 * same ones {@code local-server} and the chaos run use; they run as root, which CI is). With {@code
 * synchronous}, the primary's {@code synchronous_standby_names = '*'}: a commit returns only once
 * the replica has the WAL, which is what lets an acknowledged hook survive the promotion.
 *
 * <p>The replica starts as a file copy of the cleanly stopped primary (the embedded binaries have
 * no {@code pg_basebackup}): same system identifier and timeline, so it streams from there.
 */
final class ReplicatedPostgres implements AutoCloseable {
  private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "epg-lock");

  private final Path primaryData;
  private final int primaryPort;
  private final int replicaPort;
  private EmbeddedPostgres primary;
  private final EmbeddedPostgres replica;

  private ReplicatedPostgres(
      Path primaryData,
      int primaryPort,
      int replicaPort,
      EmbeddedPostgres primary,
      EmbeddedPostgres replica) {
    this.primaryData = primaryData;
    this.primaryPort = primaryPort;
    this.replicaPort = replicaPort;
    this.primary = primary;
    this.replica = replica;
  }

  static ReplicatedPostgres start(Path directory, boolean synchronous)
      throws IOException, SQLException, InterruptedException {
    int primaryPort = freePort();
    int replicaPort = freePort();
    Path primaryData = directory.resolve("primary");
    Path replicaData = directory.resolve("replica");
    server(primaryData, primaryPort).close(); // initdb, and a clean stop to copy from
    copy(primaryData, replicaData);
    Files.writeString(replicaData.resolve("standby.signal"), "");
    appendConfig(
        replicaData,
        "primary_conninfo = 'host=127.0.0.1 port="
            + primaryPort
            + " user=postgres application_name=replica'");
    if (synchronous) {
      // Only the first primary waits for a standby: after the promotion there is none to wait for.
      appendConfig(primaryData, "synchronous_standby_names = '*'");
    }
    EmbeddedPostgres primary = server(primaryData, primaryPort);
    EmbeddedPostgres replica = server(replicaData, replicaPort);
    ReplicatedPostgres pair =
        new ReplicatedPostgres(primaryData, primaryPort, replicaPort, primary, replica);
    pair.awaitStreaming(synchronous ? "sync" : "async");
    return pair;
  }

  /**
   * Every server commits durably: {@code synchronous_commit = on} (the embedded default is off).
   */
  private static EmbeddedPostgres server(Path data, int port) throws IOException {
    ProcessBuilder.Redirect log =
        ProcessBuilder.Redirect.appendTo(data.resolveSibling(data.getFileName() + ".log").toFile());
    return EmbeddedPostgres.builder()
        .setRegisterShutdownHook(false)
        .setOutputRedirector(log)
        .setErrorRedirector(log)
        .setPGStartupWait(Duration.ofSeconds(30))
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("wal_level", "replica")
        .start();
  }

  private static void appendConfig(Path data, String line) throws IOException {
    Files.writeString(data.resolve("postgresql.auto.conf"), line + "\n", StandardOpenOption.APPEND);
  }

  int primaryPort() {
    return primaryPort;
  }

  int replicaPort() {
    return replicaPort;
  }

  /** Both hosts, primary first, as an operator would write them. */
  String hosts() {
    return "127.0.0.1:" + primaryPort + ",127.0.0.1:" + replicaPort;
  }

  /** A connection to one server's {@code postgres} database, outside any relay. */
  static Connection connect(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=3");
  }

  /**
   * The crash of the primary's machine: SIGKILL to the postmaster and every backend at once, no
   * shutdown checkpoint, every client connection cut.
   */
  void killPrimary() throws IOException, InterruptedException {
    long pid = Long.parseLong(Files.readAllLines(primaryData.resolve("postmaster.pid")).get(0));
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    List<ProcessHandle> backends = postmaster.descendants().toList();
    postmaster.destroyForcibly();
    backends.forEach(ProcessHandle::destroyForcibly);
    primary = null;
    // Gone for its clients once its port refuses connections (whether the process was reaped yet
    // depends on who adopted it).
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket("127.0.0.1", primaryPort)) {
        probe.getInputStream(); // connected: still accepting
        Thread.sleep(10);
      } catch (IOException refused) {
        return;
      }
    }
    throw new IllegalStateException("the killed primary still accepts connections");
  }

  /** What an operator or a failover manager does: {@code pg_promote()}, waiting for it. */
  void promoteReplica() throws SQLException {
    try (Connection c = connect(replicaPort);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_promote(true, 60)")) {
      r.next();
      if (!r.getBoolean(1)) {
        throw new IllegalStateException("the replica was not promoted within 60s");
      }
    }
  }

  private void awaitStreaming(String syncState) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection c = connect(primaryPort);
          Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_replication"
                      + " WHERE state = 'streaming' AND sync_state = '"
                      + syncState
                      + "'")) {
        r.next();
        if (r.getInt(1) == 1) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the replica did not start streaming within 30s");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (NOT_COPIED.contains(file.getFileName().toString())) {
          continue;
        }
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          // PostgreSQL refuses a data directory others may read.
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        } else {
          Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops whatever still runs; a killed primary has nothing left to stop. */
  @Override
  public void close() throws IOException {
    try {
      replica.close();
    } finally {
      if (primary != null) {
        primary.close();
      }
    }
  }
}
