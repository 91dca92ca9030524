package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.DeliverySettings;
import ccx.hooks.core.Hook;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.testing.OutboxDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two relays' drainers on one table: every row delivered exactly once, each cluster in order. */
class TwoDrainersTest {
  private static final int ROWS = 10_000;
  private static final int CLUSTERS = 400;
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @Test
  void two_drainers_deliver_ten_thousand_rows_each_exactly_once_and_in_cluster_order()
      throws Exception {
    OutboxRepository outbox = database.outbox();
    Map<String, List<String>> sentByCluster = new LinkedHashMap<>();
    List<NewHook> batch = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      String cluster = "c" + (i % CLUSTERS);
      String webhookId = "msg_" + i;
      batch.add(
          NewHook.of(Hook.POST_ADD_NODE)
              .clusterId(cluster)
              .workId("w" + i)
              .payload("{\"n\":" + i + "}")
              .webhookId(webhookId)
              .build());
      sentByCluster.computeIfAbsent(cluster, c -> new ArrayList<>()).add(webhookId);
      if (batch.size() == 1000) {
        outbox.enqueue(batch);
        batch.clear();
      }
    }

    try (RecordingIntegrator integrator = new RecordingIntegrator();
        OutboxDrainer a = drainer(outbox, integrator, "relay-a");
        OutboxDrainer b = drainer(outbox, integrator, "relay-b")) {
      a.start(database.url());
      b.start(database.url());
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> outbox.countByStatus().get(OutboxStatus.DELIVERED) == ROWS);

      List<RecordingIntegrator.Received> received = integrator.received();
      Map<String, Long> deliveriesPerHook =
          received.stream()
              .collect(
                  Collectors.groupingBy(
                      RecordingIntegrator.Received::webhookId, Collectors.counting()));
      assertThat(received).hasSize(ROWS);
      assertThat(deliveriesPerHook)
          .hasSize(ROWS)
          .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));

      Map<String, String> clusterOf = new LinkedHashMap<>();
      sentByCluster.forEach((cluster, ids) -> ids.forEach(id -> clusterOf.put(id, cluster)));
      Map<String, List<String>> receivedByCluster =
          received.stream()
              .map(RecordingIntegrator.Received::webhookId)
              .collect(
                  Collectors.groupingBy(clusterOf::get, LinkedHashMap::new, Collectors.toList()));
      assertThat(receivedByCluster).isEqualTo(sentByCluster);

      List<String> workers =
          database
              .dsl()
              .fetch("SELECT DISTINCT locked_by FROM hook_delivery_attempt")
              .getValues(0, String.class);
      assertThat(workers)
          .as("both relays delivered")
          .containsExactlyInAnyOrder("relay-a", "relay-b");
    }
  }

  @Test
  void hooks_stored_while_two_drainers_run_are_all_delivered_once_in_cluster_order()
      throws Exception {
    // Few clusters and a steady stream: heads finish while the next rows of their cluster are
    // being stored, which is where a row could be queued behind a head that just finished.
    OutboxRepository outbox = database.outbox();
    int writers = 8;
    int perWriter = 500;
    Map<String, List<String>> sentByCluster = new java.util.concurrent.ConcurrentHashMap<>();
    try (RecordingIntegrator integrator = new RecordingIntegrator();
        OutboxDrainer a = drainer(outbox, integrator, "relay-a");
        OutboxDrainer b = drainer(outbox, integrator, "relay-b");
        ccx.hooks.outbox.OutboxWriter writer = new ccx.hooks.outbox.OutboxWriter(outbox)) {
      a.start(database.url());
      b.start(database.url());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int owner = t;
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      // Each writer owns its clusters, so each cluster's order is the order
                      // its writer stored them in.
                      for (int i = 0; i < perWriter; i++) {
                        String cluster = "s" + (owner + writers * (i % 3));
                        String webhookId = "msg_s" + owner + "_" + i;
                        writer.store(
                            NewHook.of(Hook.POST_ADD_NODE)
                                .clusterId(cluster)
                                .workId("ws" + owner + "_" + i)
                                .payload("{}")
                                .webhookId(webhookId)
                                .build());
                        sentByCluster
                            .computeIfAbsent(
                                cluster,
                                c -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(webhookId);
                      }
                    }));
      }
      for (Thread thread : threads) {
        thread.join();
      }
      int total = writers * perWriter;
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> outbox.countByStatus().get(OutboxStatus.DELIVERED) == total);

      List<String> received =
          integrator.received().stream().map(RecordingIntegrator.Received::webhookId).toList();
      assertThat(received).hasSize(total).doesNotHaveDuplicates();
      Map<String, String> clusterOf = new LinkedHashMap<>();
      sentByCluster.forEach((cluster, ids) -> ids.forEach(id -> clusterOf.put(id, cluster)));
      Map<String, List<String>> receivedByCluster =
          received.stream()
              .collect(
                  Collectors.groupingBy(clusterOf::get, LinkedHashMap::new, Collectors.toList()));
      sentByCluster.forEach(
          (cluster, ids) -> assertThat(receivedByCluster.get(cluster)).as(cluster).isEqualTo(ids));
    }
  }

  private static OutboxDrainer drainer(
      OutboxRepository outbox, RecordingIntegrator integrator, String relayId) {
    return new OutboxDrainer(
        outbox,
        integrator.client(),
        DeliverySettings.defaults(),
        relayId,
        new SimpleMeterRegistry(),
        RandomGenerator.getDefault());
  }
}
