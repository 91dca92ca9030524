package ccx.hooks.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.chaos.ChaosAudit;
import ccx.hooks.chaos.ClusterTraffic;
import ccx.hooks.chaos.HookSender;
import ccx.hooks.chaos.OutboxBacklog;
import ccx.hooks.chaos.RelayNode;
import ccx.hooks.config.Durations;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL failover while post-hooks flow. A primary with one synchronous streaming replica
 * ({@link ReplicatedPostgres}); two relays, the built jar as in the chaos run, given both hosts in
 * one {@code postgres://} URL; a third relay given only the replica's address, which must say it is
 * not ready rather than pass for healthy. A third of the way through the sending, the primary is
 * killed (SIGKILL to every PostgreSQL process) and, {@code failover.promote-after} later, the
 * replica is promoted, as a failover manager would. The relays are never restarted.
 *
 * <p>Then: every acknowledged hook delivered, first deliveries in each cluster's order, no answer
 * but OK and UNAVAILABLE, each relay's LISTEN connection and readiness on the new primary; and one
 * line of figures, with how long post-hooks answered UNAVAILABLE.
 *
 * <p>Runs in {@code ./mvnw verify} for about 40 s; longer runs with {@code -Dfailover.hooks=N
 * -Dfailover.duration=D} (see docs/RELIABILITY.md).
 */
class FailoverIT {
  private static final int HOOKS = Integer.getInteger("failover.hooks", 1000);
  private static final int CLUSTERS = Integer.getInteger("failover.clusters", 20);
  private static final Duration SENDING =
      Durations.parse(System.getProperty("failover.duration", "15s"));
  private static final Duration PROMOTE_AFTER =
      Durations.parse(System.getProperty("failover.promote-after", "1s"));
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);

  @TempDir Path temp;
  private final long started = System.nanoTime();

  private void phase(String what) {
    System.out.printf("failover: %5.1fs %s%n", (System.nanoTime() - started) / 1e9, what);
  }

  @Test
  void every_acknowledged_hook_is_delivered_in_cluster_order_when_the_replica_is_promoted()
      throws Exception {
    Path jar = Path.of(System.getProperty("user.dir"), "target", "ccx-hook-service.jar");
    assertThat(jar).as("the failover run starts the built jar; run it with ./mvnw verify").exists();
    Path record = temp.resolve("hooks.jsonl");
    MockHooksServer integrator =
        MockHooksServer.start(MockHooksOptions.builder().record(record).build());
    List<RelayNode> relays = new ArrayList<>();
    List<ReadinessWatch> watches = new ArrayList<>();
    try (ReplicatedPostgres postgres = ReplicatedPostgres.start(temp, true)) {
      phase("primary and synchronous replica streaming");
      List<String> options =
          List.of(
              "--hook-url", integrator.url(),
              "--delivery-timeout", "2s",
              "--retry-initial", "100ms",
              "--retry-max", "2s",
              // Long, so that deliveries after the switch come from the LISTEN connection.
              "--poll-interval", "5s");
      String bothHosts = "postgres://postgres@" + postgres.hosts() + "/postgres";
      String replicaOnly =
          "jdbc:postgresql://127.0.0.1:" + postgres.replicaPort() + "/postgres?user=postgres";
      for (String name : List.of("a", "b", "standby-only")) {
        List<String> all = new ArrayList<>(options);
        all.addAll(
            List.of("--database-url", name.equals("standby-only") ? replicaOnly : bothHosts));
        RelayNode relay = new RelayNode(jar, temp.resolve("relay-" + name + ".log"), all);
        relay.start();
        relays.add(relay);
        watches.add(new ReadinessWatch(relay.adminPort()));
      }
      List<RelayNode> serving = relays.subList(0, 2);
      await("relays a and b ready")
          // Three JVMs starting at once on two cores, with the rest of the build.
          .atMost(Duration.ofSeconds(120))
          .until(() -> watches.get(0).now().ready() && watches.get(1).now().ready());
      await("the standby-only relay's reason")
          .atMost(Duration.ofSeconds(30))
          .until(() -> watches.get(2).now().body().contains("standby"));
      assertThat(watches.get(2).now().status()).isEqualTo(503);
      phase("relays ready");
      List<Long> pids = relays.stream().map(r -> r.process().pid()).toList();

      HookSender sender = new HookSender(serving, Duration.ofSeconds(10));
      long[] killedAt = {0};
      long[] promotedAt = {0};
      ClusterTraffic traffic;
      try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
        traffic = ClusterTraffic.submit(senders, sender, HOOKS, CLUSTERS, SENDING);
        senders.submit(
            () -> {
              TimeUnit.NANOSECONDS.sleep(SENDING.toNanos() / 3);
              killedAt[0] = System.nanoTime();
              postgres.killPrimary();
              phase("primary killed");
              TimeUnit.NANOSECONDS.sleep(PROMOTE_AFTER.toNanos());
              postgres.promoteReplica();
              promotedAt[0] = System.nanoTime();
              phase("replica promoted");
              return null;
            });
      }
      long sendingDone = System.nanoTime();
      phase("every hook sent");

      int newPrimary = postgres.replicaPort();
      await("every relay's LISTEN connection on the new primary")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  OutboxBacklog.count(
                          () -> ReplicatedPostgres.connect(newPrimary),
                          "SELECT count(*) FROM pg_stat_activity"
                              + " WHERE application_name = 'ccx-hook-service listener'"
                              + " AND query LIKE 'LISTEN%'")
                      == relays.size());
      phase("LISTEN connections on the new primary");
      long unfinished =
          OutboxBacklog.waitUntilDrained(
              () -> ReplicatedPostgres.connect(newPrimary), sendingDone, DRAIN_LIMIT);
      await("every relay ready on the new primary")
          .atMost(Duration.ofSeconds(30))
          .until(() -> watches.stream().allMatch(w -> w.now().ready()));

      phase("outbox drained, every relay ready");
      ChaosAudit.Result result = ChaosAudit.audit(record, traffic.sent(), traffic.acknowledged());
      FailoverFigures figures =
          new FailoverFigures(result, sender, killedAt[0], promotedAt[0], watches.subList(0, 2));
      System.out.println(figures.line());
      assertThat(unfinished).as("rows in hook_outbox other than delivered").isZero();
      assertThat(result.lost()).as("acknowledged hooks never delivered").isZero();
      assertThat(result.outOfOrder()).as("first deliveries out of cluster order").isZero();
      assertThat(result.acknowledged()).as("acknowledged").isEqualTo(result.sent());
      assertThat(sender.otherFailures()).as("answers other than OK and UNAVAILABLE").isEmpty();
      assertThat(sender.unavailableAt())
          .as("UNAVAILABLE answers before the primary was killed")
          .allMatch(t -> t > killedAt[0]);
      assertThat(relays)
          .as("relays never restarted")
          .allMatch(r -> r.process().isAlive() && pids.contains(r.process().pid()));
    } finally {
      for (ReadinessWatch watch : watches) {
        watch.close();
      }
      for (RelayNode relay : relays) {
        relay.stop();
      }
      integrator.close();
    }
  }
}
