package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.ListFilter;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Rows stored by a relay before V2 carry over into the partitioned outbox, in cluster order. */
class HotOutboxMigrationTest {

  @Test
  void rows_of_the_first_schema_keep_their_ids_and_their_clusters_order() throws Exception {
    DatabaseUrl url = TestDatabase.createDatabase();
    Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user().orElse(null), url.password().orElse(null))
        .locations("classpath:db/migration")
        .target("1")
        .load()
        .migrate();
    try (Connection c = url.connect(Map.of());
        Statement s = c.createStatement()) {
      s.execute(
          """
          INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status, delivered_at)
          VALUES ('post-add-node', 'd1', 'c1', '{}', 'm1', 'delivered', now()),
                 ('post-add-node', 'f1', 'c1', '{}', 'm2', 'failed', NULL),
                 ('post-add-node', 'p1', 'c1', '{}', 'm3', 'pending', NULL),
                 ('post-add-node', 'p2', 'c1', '{}', 'm4', 'pending', NULL),
                 ('post-add-node', 'p3', 'c2', '{}', 'm5', 'pending', NULL),
                 ('post-add-node', 'p4', '', '{}', 'm6', 'pending', NULL),
                 ('post-add-node', 'p5', '', '{}', 'm7', 'pending', NULL)
          """);
      s.execute(
          "INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at, duration_ms)"
              + " SELECT id, 1, 'old-relay', now(), 5 FROM hook_outbox WHERE work_id = 'd1'");
    }
    try (Database database = Database.open(url, 2)) {
      assertThat(database.migrate()).as("V2 to V5").isEqualTo(4);
      OutboxRepository outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
      List<OutboxRow> rows =
          outbox.list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 10));
      assertThat(rows).extracting(OutboxRow::id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(rows)
          .extracting(OutboxRow::status)
          .containsExactly(
              OutboxStatus.DELIVERED,
              OutboxStatus.FAILED,
              OutboxStatus.PENDING,
              OutboxStatus.QUEUED,
              OutboxStatus.PENDING,
              OutboxStatus.PENDING,
              OutboxStatus.PENDING);
      assertThat(outbox.attempts(1)).hasSize(1);
      // Stored before traces were: no traceparent, delivered in no trace.
      assertThat(rows).extracting(OutboxRow::traceparent).containsOnlyNulls();

      // New rows get new ids, after the old ones, and queue behind the cluster's head.
      outbox.enqueue(
          List.of(
              ccx.hooks.outbox.NewHook.of(ccx.hooks.core.Hook.POST_ADD_NODE)
                  .clusterId("c2")
                  .workId("n1")
                  .payload("{}")
                  .webhookId("m8")
                  .build()));
      assertThat(outbox.find(8).orElseThrow().status()).isEqualTo(OutboxStatus.QUEUED);
      List<OutboxRow> due = outbox.claim("relay", 10, Duration.ofSeconds(30));
      assertThat(due).extracting(OutboxRow::workId).containsExactly("p1", "p3", "p4", "p5");
    }
  }
}
