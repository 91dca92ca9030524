package ccx.hooks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.Durations;
import ccx.hooks.db.EmbeddedDatabase;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PostAddNodeRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery guarantee under faults. Its own PostgreSQL in a temporary directory, two relays (the
 * built jar, as child processes) on it, and an integrator that fails about 30 % of requests and
 * sometimes answers slowly. While post-hooks flow over many clusters (each cluster's hooks in
 * sequence, retried by the sender until acknowledged, as CCX would), a random relay is killed with
 * SIGKILL and restarted every few seconds, and PostgreSQL crashes once (SIGKILL of the postmaster
 * and its backends; the restart recovers from the WAL). Then the integrator's record is audited
 * against what was acknowledged.
 *
 * <p>Runs in {@code ./mvnw verify} (failsafe) for about a minute; the soak is the same with {@code
 * -Dchaos.duration=30m -Dchaos.hooks=100000} (see docs/RELIABILITY.md).
 */
class ChaosIT {
  private static final int HOOKS = Integer.getInteger("chaos.hooks", 2400);
  private static final int CLUSTERS = Integer.getInteger("chaos.clusters", 50);
  private static final Duration SENDING =
      Durations.parse(System.getProperty("chaos.duration", "30s"));
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(4);

  @TempDir Path temp;

  @Test
  void every_acknowledged_hook_is_delivered_in_cluster_order_while_relays_and_the_database_fail()
      throws Exception {
    Path jar = Path.of(System.getProperty("user.dir"), "target", "ccx-hook-service.jar");
    assertThat(jar).as("the chaos run starts the built jar; run it with ./mvnw verify").exists();
    int pgPort = freePort();
    Path pgData = temp.resolve("postgres");
    Path record = temp.resolve("hooks.jsonl");
    EmbeddedDatabase[] postgres = {EmbeddedDatabase.start(Optional.of(pgData), pgPort)};
    String jdbc = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres";

    MockHooksServer integrator =
        MockHooksServer.start(
            new MockHooksServer.Options(
                0, false, 0.3, Duration.ofMillis(300), 0.05, Optional.of(record), null));
    List<String> options =
        List.of(
            "--hook-url", integrator.url(),
            "--database-url", jdbc,
            "--delivery-timeout", "2s",
            "--retry-initial", "100ms",
            "--retry-max", "2s",
            "--poll-interval", "500ms");
    List<RelayNode> relays =
        List.of(
            new RelayNode(jar, temp.resolve("relay-a.log"), options),
            new RelayNode(jar, temp.resolve("relay-b.log"), options));
    relays.forEach(RelayNode::start);

    Map<String, List<String>> acknowledged = new LinkedHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger kills = new AtomicInteger();
    try {
      int perCluster = HOOKS / CLUSTERS;
      long pauseNanos = SENDING.toNanos() / perCluster;
      try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < CLUSTERS; c++) {
          String cluster = "k" + c;
          List<String> acked = Collections.synchronizedList(new ArrayList<>());
          acknowledged.put(cluster, acked);
          senders.submit(
              () -> {
                for (int i = 0; i < perCluster; i++) {
                  String workId = cluster + "-" + i;
                  sent.incrementAndGet();
                  if (sendUntilAcknowledged(relays, cluster, workId)) {
                    acked.add(workId);
                  }
                  TimeUnit.NANOSECONDS.sleep(
                      ThreadLocalRandom.current().nextLong(pauseNanos / 2, pauseNanos * 3 / 2));
                }
                return null;
              });
        }
        // The faults, while the hooks flow.
        senders.submit(
            () -> {
              long end = System.nanoTime() + SENDING.toNanos();
              long databaseRestartAt = System.nanoTime() + SENDING.toNanos() / 2;
              boolean databaseRestarted = false;
              while (System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(2000, 5000));
                RelayNode victim = relays.get(ThreadLocalRandom.current().nextInt(relays.size()));
                victim.kill();
                kills.incrementAndGet();
                TimeUnit.MILLISECONDS.sleep(300);
                victim.start();
                if (!databaseRestarted && System.nanoTime() > databaseRestartAt) {
                  // A crash, not a stop: no checkpoint, so the restart replays the WAL, and a
                  // commit acknowledged but not flushed would be lost here.
                  postgres[0].crash();
                  TimeUnit.SECONDS.sleep(3);
                  postgres[0] = EmbeddedDatabase.start(Optional.of(pgData), pgPort);
                  databaseRestarted = true;
                }
              }
              return null;
            });
      }

      long sendingDone = System.nanoTime();
      long deadline = sendingDone + DRAIN_LIMIT.toNanos();
      long unfinished;
      do {
        TimeUnit.MILLISECONDS.sleep(500);
        unfinished = count(jdbc, "SELECT count(*) FROM hook_outbox WHERE status <> 'delivered'");
      } while (unfinished > 0 && System.nanoTime() < deadline);

      ChaosAudit.Result result = ChaosAudit.audit(record, sent.get(), acknowledged);
      System.out.printf(
          "chaos: %d relays killed with SIGKILL, PostgreSQL crashed (SIGKILL) and recovered once; backlog drained %.1fs after the last hook was sent%n",
          kills.get(), (System.nanoTime() - sendingDone) / 1e9);
      System.out.println(result.line());
      assertThat(unfinished).as("rows in hook_outbox other than delivered").isZero();
      assertThat(result.lost()).as("acknowledged hooks never delivered").isZero();
      assertThat(result.outOfOrder()).as("first deliveries out of cluster order").isZero();
      assertThat(result.acknowledged()).as("acknowledged").isEqualTo(result.sent());
    } finally {
      for (RelayNode relay : relays) {
        relay.stop();
      }
      integrator.close();
      postgres[0].close();
    }
  }

  /**
   * Sends one post-hook to a random relay until one acknowledges it, as CCX retries a failed call.
   */
  private static boolean sendUntilAcknowledged(
      List<RelayNode> relays, String cluster, String workId) throws InterruptedException {
    PostAddNodeRequest request =
        PostAddNodeRequest.newBuilder()
            .setClusterId(cluster)
            .setCloud("aws")
            .setNodeCount(1)
            .addNodeIds("n")
            .setWorkId(workId)
            .build();
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < giveUp) {
      RelayNode relay = relays.get(ThreadLocalRandom.current().nextInt(relays.size()));
      try {
        HookServiceGrpc.newBlockingStub(relay.channel())
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .postAddNode(request);
        return true;
      } catch (StatusRuntimeException unavailable) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    return false;
  }

  private static long count(String jdbc, String sql) {
    try (Connection c = DriverManager.getConnection(jdbc);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      return Long.MAX_VALUE;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
