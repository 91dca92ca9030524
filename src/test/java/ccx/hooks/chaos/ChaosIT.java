package ccx.hooks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.Durations;
import ccx.hooks.db.EmbeddedDatabase;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
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
            MockHooksOptions.builder()
                .failRate(0.3)
                .delay(Duration.ofMillis(300))
                .slowRate(0.05)
                .record(record)
                .build());
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

    HookSender sender = new HookSender(relays, Duration.ofSeconds(5));
    AtomicInteger kills = new AtomicInteger();
    try {
      ClusterTraffic traffic;
      try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
        traffic = ClusterTraffic.submit(senders, sender, HOOKS, CLUSTERS, SENDING);
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
      long unfinished =
          OutboxBacklog.waitUntilDrained(
              () -> DriverManager.getConnection(jdbc), sendingDone, DRAIN_LIMIT);

      ChaosAudit.Result result = ChaosAudit.audit(record, traffic.sent(), traffic.acknowledged());
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
