package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.core.Hook;
import ccx.hooks.testing.OutboxDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queries {@code bench} runs: a backlog as the relay would find it, and the counts. */
class BenchQueriesTest {
  // As jsonb prints it, so it reads back unchanged; the quote would break hand-escaped SQL.
  private static final String PAYLOAD = "{\"work_id\": \"w'1\", \"cluster_id\": \"c1\"}";
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private OutboxRepository outbox;

  @BeforeEach
  void emptyOutbox() {
    outbox = database.outbox();
  }

  @Test
  void a_backlog_is_pending_due_now_and_spread_over_its_clusters() {
    assertThat(outbox.insertBacklog(1000, 10, Hook.POST_ADD_NODE, PAYLOAD)).isEqualTo(1000);

    assertThat(outbox.countStored()).isEqualTo(1000);
    assertThat(outbox.countUnfinished()).isEqualTo(1000);
    // In cluster order a claim takes the head of each cluster: one row for each of the ten.
    List<OutboxRow> heads = outbox.claim("relay-1", 100, Duration.ofSeconds(30));
    assertThat(heads).hasSize(10);
    assertThat(heads).extracting(OutboxRow::clusterId).doesNotHaveDuplicates();
    assertThat(heads)
        .allSatisfy(
            row -> {
              assertThat(row.hook()).isEqualTo(Hook.POST_ADD_NODE);
              assertThat(row.payload()).isEqualTo(PAYLOAD);
              assertThat(row.webhookId()).startsWith("msg_backlog-");
            });
  }

  @Test
  void delivered_rows_are_stored_but_no_longer_unfinished() {
    outbox.insertBacklog(20, 2, Hook.POST_ADD_NODE, PAYLOAD);
    List<OutboxRow> heads = outbox.claim("relay-1", 100, Duration.ofSeconds(30));
    DeliveryAttempt ok = new DeliveryAttempt(Instant.now(), Duration.ofMillis(1), 200, null, "");
    outbox.markDelivered(
        heads.stream().map(row -> new OutboxRepository.Delivered(row, ok)).toList());

    assertThat(outbox.countStored()).isEqualTo(20);
    assertThat(outbox.countUnfinished()).isEqualTo(18);
    assertThat(
            outbox.list(
                new ListFilter(
                    Optional.of(OutboxStatus.DELIVERED), Optional.empty(), Optional.empty(), 50)))
        .hasSize(2);
  }

  @Test
  void a_stuck_cluster_holds_its_rows_and_none_of_them_is_due() {
    outbox.insertStuckCluster(100, Hook.POST_ADD_NODE, PAYLOAD);
    outbox.insertBacklog(20, 2, Hook.POST_ADD_NODE, PAYLOAD);

    assertThat(outbox.claim("relay-1", 100, Duration.ofSeconds(30)))
        .extracting(OutboxRow::clusterId)
        .containsExactlyInAnyOrder("c0", "c1");
    assertThat(outbox.countUnfinished()).isEqualTo(120);
  }
}
