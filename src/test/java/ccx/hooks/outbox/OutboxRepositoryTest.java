package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.core.Hook;
import ccx.hooks.testing.OutboxDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxRepositoryTest {
  private static final Duration LEASE = Duration.ofSeconds(40);
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private DatabaseClock clock;
  private OutboxRepository outbox;

  @BeforeEach
  void emptyOutbox() {
    clock = database.clock();
    outbox = database.outbox();
  }

  private static NewHook hook(String cluster, String workId) {
    return NewHook.of(Hook.POST_ADD_NODE)
        .clusterId(cluster)
        .workId(workId)
        .payload("{\"cluster_id\":\"" + cluster + "\",\"work_id\":\"" + workId + "\"}")
        .webhookId("msg_" + workId)
        .build();
  }

  /** What {@code replay} without --id or a filter puts back: every failed row. */
  private static final ReplayFilter ALL_FAILED =
      new ReplayFilter(
          List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  private static DeliveryAttempt attempt(Integer status, String error) {
    return new DeliveryAttempt(Instant.now(), Duration.ofMillis(5), status, error, "answer");
  }

  /** Records a failed attempt (HTTP 500) that was the row's last allowed: it becomes failed. */
  private Optional<RetryOutcome> failedForGood(OutboxRow claimed) {
    return outbox.retryOrFail(
        claimed, attempt(500, "HTTP 500"), Duration.ofSeconds(1), 1, Duration.ofHours(72));
  }

  /** Stores {@code count} hooks, each in a cluster of its own: none waits for another. */
  private void enqueueInClustersOfTheirOwn(int count, String workIdPrefix) {
    outbox.enqueue(
        IntStream.range(0, count).mapToObj(i -> hook("c" + i, workIdPrefix + i)).toList());
  }

  /** Stores w1 (cluster c1) and w2 (c2), then delivers w1 and fails w2 for good. */
  private void deliverW1AndFailW2() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c2", "w2")));
    List<OutboxRow> claimed = claim();
    delivered(claimed.get(0));
    failedForGood(claimed.get(1));
  }

  /** What relay-a claims, ten rows at most. */
  private List<OutboxRow> claim() {
    return outbox.claim("relay-a", 10, LEASE);
  }

  /** Records a successful attempt; false when the row's lease was lost. */
  private boolean delivered(OutboxRow claimed) {
    return outbox
        .markDelivered(List.of(new OutboxRepository.Delivered(claimed, attempt(200, null))))
        .get(0);
  }

  @Test
  void a_repeated_hook_and_work_id_stores_nothing_new() {
    assertThat(outbox.enqueue(List.of(hook("c1", "w1")))).isEqualTo(1);
    assertThat(outbox.enqueue(List.of(hook("c1", "w1")))).isZero();
    assertThat(outbox.enqueue(List.of(hook("c1", "")))).isEqualTo(1);
    assertThat(outbox.enqueue(List.of(hook("c1", "")))).isEqualTo(1);
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.PENDING, 1L)
        .containsEntry(OutboxStatus.QUEUED, 2L);
  }

  @Test
  void a_hook_repeated_after_its_delivery_or_failure_stores_nothing_new() {
    deliverW1AndFailW2();

    assertThat(outbox.enqueue(List.of(hook("c1", "w1"), hook("c2", "w2"), hook("c3", "w3"))))
        .isEqualTo(1);
    assertThat(
            outbox.list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 10)))
        .extracting(OutboxRow::workId, OutboxRow::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("w1", OutboxStatus.DELIVERED),
            org.assertj.core.groups.Tuple.tuple("w2", OutboxStatus.FAILED),
            org.assertj.core.groups.Tuple.tuple("w3", OutboxStatus.PENDING));
  }

  @Test
  void rows_behind_a_head_are_queued_and_become_due_one_at_a_time_in_order() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2")));
    outbox.enqueue(List.of(hook("c1", "w3"), hook("c2", "w4")));
    assertThat(statuses())
        .containsExactly(
            OutboxStatus.PENDING, OutboxStatus.QUEUED, OutboxStatus.QUEUED, OutboxStatus.PENDING);
    for (String expected : List.of("w1", "w2", "w3")) {
      List<OutboxRow> claimed = claim();
      assertThat(claimed).extracting(OutboxRow::workId).contains(expected);
      claimed.forEach(this::delivered);
    }
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.QUEUED, 0L)
        .containsEntry(OutboxStatus.PENDING, 0L);
  }

  @Test
  void a_replayed_row_waits_for_its_clusters_head_and_then_goes_before_newer_rows() {
    outbox.enqueue(List.of(hook("c1", "old")));
    OutboxRow old = claim().get(0);
    failedForGood(old);
    outbox.enqueue(List.of(hook("c1", "head"), hook("c1", "newer")));
    OutboxRow head = claim().get(0);
    assertThat(head.workId()).isEqualTo("head");

    assertThat(outbox.replay(ReplayFilter.ofIds(List.of(old.id())), false)).isEqualTo(1);
    assertThat(outbox.find(old.id()).orElseThrow().status()).isEqualTo(OutboxStatus.QUEUED);
    assertThat(claim()).as("the head is still delivering").isEmpty();

    delivered(head);
    assertThat(claim()).extracting(OutboxRow::workId).containsExactly("old");
  }

  @Test
  void a_delivered_row_replayed_by_id_is_delivered_again() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow first = claim().get(0);
    delivered(first);
    assertThat(outbox.replay(ReplayFilter.ofIds(List.of(first.id())), false)).isEqualTo(1);
    OutboxRow again = claim().get(0);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.deliveredAt()).isNull();
    assertThat(delivered(again)).isTrue();
    assertThat(outbox.attempts(first.id())).hasSize(2);
  }

  @Test
  void retention_deletes_old_delivered_rows_with_their_attempts_and_keeps_replayed_ones() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c2", "w2")));
    List<OutboxRow> claimed = claim();
    claimed.forEach(this::delivered);
    outbox.replay(ReplayFilter.ofIds(List.of(claimed.get(1).id())), false);
    clock.advance(Duration.ofDays(8));

    assertThat(outbox.deleteDelivered(Duration.ofDays(7), 100)).isEqualTo(1);
    assertThat(outbox.find(claimed.get(0).id())).isEmpty();
    assertThat(outbox.attempts(claimed.get(0).id())).isEmpty();
    assertThat(outbox.find(claimed.get(1).id())).isPresent();
  }

  @Test
  void vacuum_of_the_active_partition_clears_what_deliveries_left_behind() {
    deliverRowsLeavingDeadTuples(200, "v");
    outbox.vacuumActive();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> outbox.deadActiveTuples() == 0);
  }

  /**
   * Giving empty pages back to the operating system would take the partition's exclusive lock and
   * stop every claim, completion and intake while the vacuum checks them (V4).
   */
  @Test
  void vacuum_of_the_active_partition_keeps_its_empty_pages() {
    deliverRowsLeavingDeadTuples(1_000, "t");
    long bytes = activePartitionBytes();
    assertThat(bytes).as("the partition's size before the vacuum").isPositive();

    outbox.vacuumActive();

    assertThat(activePartitionBytes()).as("its size after the vacuum").isEqualTo(bytes);
  }

  /**
   * Stores, claims and delivers {@code rows} rows, then waits until the statistics count the two
   * dead tuples each left in the active partition (the claim's old version, and the row that moved
   * to the delivered partition): they arrive a little later, and one arriving after a vacuum would
   * read as a dead tuple the vacuum left.
   */
  private void deliverRowsLeavingDeadTuples(int rows, String workIdPrefix) {
    enqueueInClustersOfTheirOwn(rows, workIdPrefix);
    outbox.claim("relay-a", rows, LEASE).forEach(this::delivered);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> outbox.deadActiveTuples() >= 2L * rows);
  }

  private long activePartitionBytes() {
    return ((Number) database.dsl().fetchValue("SELECT pg_relation_size('hook_outbox_active')"))
        .longValue();
  }

  @Test
  void a_claim_takes_no_more_rows_than_it_asks_for() {
    enqueueInClustersOfTheirOwn(40, "w");
    assertThat(outbox.claim("relay-a", 16, LEASE)).hasSize(16);
    assertThat(outbox.countByStatus()).containsEntry(OutboxStatus.DELIVERING, 16L);
  }

  @Test
  void a_poisoned_head_fails_alone_and_lets_its_cluster_go() {
    database
        .dsl()
        .execute(
            "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id)"
                + " VALUES ('post-upgrade-cluster', 'p1', 'c1', '{}', 'msg_p1')");
    outbox.enqueue(List.of(hook("c1", "w2")));
    assertThat(statuses()).containsExactly(OutboxStatus.PENDING, OutboxStatus.QUEUED);

    assertThat(claim()).isEmpty();
    assertThat(statuses()).containsExactly(OutboxStatus.FAILED, OutboxStatus.PENDING);
    assertThat(claim()).extracting(OutboxRow::workId).containsExactly("w2");
  }

  private List<OutboxStatus> statuses() {
    return outbox
        .list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 100))
        .stream()
        .map(OutboxRow::status)
        .toList();
  }

  @Test
  void the_payload_is_stored_as_json_and_read_back_as_delivered() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow row =
        outbox
            .list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 10))
            .get(0);
    assertThat(row.payload()).isEqualTo("{\"work_id\": \"w1\", \"cluster_id\": \"c1\"}");
    assertThat(row.webhookId()).isEqualTo("msg_w1");
    assertThat(row.status()).isEqualTo(OutboxStatus.PENDING);
  }

  @Test
  void gauges_read_counts_and_the_age_of_the_oldest_unfinished_row() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    clock.advance(Duration.ofSeconds(30));
    Map<OutboxStatus, Long> counts = outbox.countByStatus();
    assertThat(counts)
        .containsEntry(OutboxStatus.PENDING, 1L)
        .containsEntry(OutboxStatus.FAILED, 0L);
    assertThat(outbox.oldestUnfinishedAge())
        .isBetween(Duration.ofSeconds(29), Duration.ofSeconds(40));
    assertThat(outbox.nextDueIn()).as("due already: nothing to wait for").isEmpty();
  }

  @Test
  void the_next_due_time_is_that_of_the_earliest_retry() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow row = claim().get(0);
    outbox.retryOrFail(
        row, attempt(500, "HTTP 500"), Duration.ofSeconds(30), 25, Duration.ofHours(72));
    assertThat(outbox.nextDueIn())
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30)));
  }

  @Test
  void a_claimed_row_is_leased_and_not_claimed_again_until_the_lease_expires() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    List<OutboxRow> first = claim();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).status()).isEqualTo(OutboxStatus.DELIVERING);
    assertThat(first.get(0).attempts()).isEqualTo(1);
    assertThat(first.get(0).lockedBy()).isEqualTo("relay-a");
    assertThat(outbox.claim("relay-b", 10, LEASE)).isEmpty();

    clock.advance(LEASE.plusSeconds(1));
    assertThat(outbox.rescueExpiredLeases()).isEqualTo(1);
    List<OutboxRow> takeover = outbox.claim("relay-b", 10, LEASE);
    assertThat(takeover).hasSize(1);
    assertThat(takeover.get(0).attempts()).isEqualTo(2);
    assertThat(takeover.get(0).lockedBy()).isEqualTo("relay-b");

    // The crashed relay's late result is fenced off; the live relay's counts.
    assertThat(delivered(first.get(0))).isFalse();
    assertThat(outbox.find(first.get(0).id()).orElseThrow().status())
        .isEqualTo(OutboxStatus.DELIVERING);
    assertThat(delivered(takeover.get(0))).isTrue();
    assertThat(outbox.find(first.get(0).id()).orElseThrow().status())
        .isEqualTo(OutboxStatus.DELIVERED);
    assertThat(outbox.attempts(first.get(0).id()))
        .extracting(RecordedAttempt::attempt)
        .containsExactly(1, 2);
  }

  @Test
  void a_waiting_row_holds_back_its_cluster_only() {
    outbox.enqueue(
        List.of(
            hook("c1", "w1"), hook("c1", "w2"), hook("c2", "w3"), hook("", "w4"), hook("", "w5")));
    List<OutboxRow> claimed = claim();
    assertThat(claimed).extracting(OutboxRow::workId).containsExactly("w1", "w3", "w4", "w5");

    OutboxRow w1 = claimed.get(0);
    assertThat(
            outbox.retryOrFail(
                w1, attempt(500, "HTTP 500"), Duration.ofSeconds(10), 25, Duration.ofHours(72)))
        .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo(OutboxStatus.PENDING));
    assertThat(claim()).isEmpty();

    clock.advance(Duration.ofSeconds(11));
    List<OutboxRow> retry = claim();
    assertThat(retry).extracting(OutboxRow::workId).containsExactly("w1");
    delivered(retry.get(0));
    assertThat(claim()).extracting(OutboxRow::workId).containsExactly("w2");
  }

  @Test
  void without_ordering_a_waiting_row_holds_back_nothing() {
    outbox = new OutboxRepository(database.dsl(), clock, false);
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2")));
    assertThat(claim()).extracting(OutboxRow::workId).containsExactly("w1", "w2");
  }

  @Test
  void a_failed_row_stops_holding_back_its_cluster() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2")));
    OutboxRow w1 = claim().get(0);
    assertThat(failedForGood(w1))
        .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo(OutboxStatus.FAILED));
    assertThat(claim()).extracting(OutboxRow::workId).containsExactly("w2");
  }

  @Test
  void a_row_older_than_the_max_age_fails_on_its_next_failure() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    clock.advance(Duration.ofHours(2));
    OutboxRow w1 = claim().get(0);
    assertThat(
            outbox.retryOrFail(
                w1, attempt(null, "timeout"), Duration.ofSeconds(1), 25, Duration.ofHours(1)))
        .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo(OutboxStatus.FAILED));
    OutboxRow failed = outbox.find(w1.id()).orElseThrow();
    assertThat(failed.lastError()).isEqualTo("timeout");
    assertThat(failed.lockedBy()).isNull();
  }

  @Test
  void a_claim_that_leaves_a_hook_out_takes_the_others_earliest_due_first_and_leaves_its_rows() {
    // Stored one by one, so due in this order; each in a cluster of its own, so each a head.
    List<Hook> order =
        List.of(
            Hook.POST_ADD_NODE,
            Hook.POST_DELETE_CLUSTER,
            Hook.POST_REMOVE_NODE,
            Hook.POST_DELETE_CLUSTER,
            Hook.POST_ADD_NODE,
            Hook.POST_REMOVE_NODE);
    for (int i = 0; i < order.size(); i++) {
      outbox.enqueue(
          List.of(
              NewHook.of(order.get(i))
                  .clusterId("c" + i)
                  .workId("w" + i)
                  .payload("{\"cluster_id\":\"c" + i + "\"}")
                  .webhookId("msg_w" + i)
                  .build()));
    }

    List<OutboxRow> others =
        outbox.claim("relay-a", 3, LEASE, java.util.Set.of(Hook.POST_DELETE_CLUSTER));
    List<OutboxRow> rest = outbox.claim("relay-a", 10, LEASE, java.util.Set.of(Hook.POST_ADD_NODE));
    List<OutboxRow> last = outbox.claim("relay-a", 10, LEASE);

    assertThat(others).extracting(OutboxRow::workId).containsExactly("w0", "w2", "w4");
    assertThat(rest).extracting(OutboxRow::workId).containsExactly("w1", "w3", "w5");
    assertThat(last).isEmpty();
  }

  @Test
  void replay_puts_failed_rows_back_with_a_fresh_budget() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c2", "w2")));
    for (OutboxRow row : claim()) {
      failedForGood(row);
    }
    ReplayFilter c1 =
        new ReplayFilter(
            List.of(), Optional.empty(), Optional.of("c1"), Optional.empty(), Optional.empty());
    assertThat(outbox.replay(c1, true)).isEqualTo(1);
    assertThat(outbox.countByStatus()).containsEntry(OutboxStatus.FAILED, 2L);
    assertThat(outbox.replay(c1, false)).isEqualTo(1);

    OutboxRow replayed = claim().get(0);
    assertThat(replayed.workId()).isEqualTo("w1");
    assertThat(replayed.attempts()).isEqualTo(1);
    assertThat(replayed.replayedAt()).isNotNull();
    assertThat(outbox.replay(ALL_FAILED, false)).isEqualTo(1);
  }

  @Test
  void replay_of_more_clusters_than_one_transaction_can_lock_puts_back_every_one_in_order() {
    // More clusters than PostgreSQL's lock table holds by default (64 locks per connection, 100
    // connections): locked in one transaction, they ran it out of shared memory.
    database
        .dsl()
        .execute(
            """
            INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status,
                                     attempts)
            SELECT {0}, 'w' || g, 'c' || least(g, 20000), '{}'::jsonb, 'msg_w' || g, 'failed', 25
            FROM generate_series(1, 20001) AS g
            """,
            DSL.val(Hook.POST_ADD_NODE.path()));

    assertThat(outbox.replay(ALL_FAILED, false)).isEqualTo(20_001);
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.PENDING, 20_000L)
        .containsEntry(OutboxStatus.QUEUED, 1L)
        .containsEntry(OutboxStatus.FAILED, 0L);
    // The cluster with two rows: the earlier is its head again, the later waits behind it.
    assertThat(
            database
                .dsl()
                .fetch("SELECT work_id, status FROM hook_outbox WHERE cluster_id = 'c20000'")
                .stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        r -> r.get(0, String.class), r -> r.get(1, String.class))))
        .containsExactlyInAnyOrderEntriesOf(Map.of("w20000", "pending", "w20001", "queued"));
  }

  @Test
  void replay_by_id_takes_a_row_from_a_relay_still_delivering_it() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow stale = claim().get(0);
    assertThat(outbox.replay(ReplayFilter.ofIds(List.of(stale.id())), false)).isEqualTo(1);
    assertThat(delivered(stale)).isFalse();
    assertThat(outbox.claim("relay-b", 10, LEASE)).hasSize(1);
  }

  @Test
  void a_batch_of_completions_promotes_behind_the_rows_it_marked_and_no_others() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2"), hook("c2", "w3"), hook("c2", "w4")));
    List<OutboxRow> heads = claim();
    assertThat(heads).extracting(OutboxRow::workId).containsExactly("w1", "w3");
    outbox.replay(ReplayFilter.ofIds(List.of(heads.get(1).id())), false);

    assertThat(
            outbox.markDelivered(
                heads.stream()
                    .map(h -> new OutboxRepository.Delivered(h, attempt(200, null)))
                    .toList()))
        .containsExactly(true, false);
    assertThat(statuses())
        .containsExactly(
            OutboxStatus.DELIVERED,
            OutboxStatus.PENDING,
            OutboxStatus.PENDING,
            OutboxStatus.QUEUED);
  }

  @Test
  void a_stale_completion_lets_no_row_of_its_cluster_go_ahead_of_the_head() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2")));
    OutboxRow stale = claim().get(0);
    outbox.replay(ReplayFilter.ofIds(List.of(stale.id())), false);

    assertThat(delivered(stale)).isFalse();
    assertThat(statuses()).containsExactly(OutboxStatus.PENDING, OutboxStatus.QUEUED);
    assertThat(outbox.claim("relay-b", 10, LEASE))
        .extracting(OutboxRow::workId)
        .containsExactly("w1");
  }

  @Test
  void a_stale_completion_is_fenced_off_even_when_a_replay_let_the_same_relay_claim_again() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow stale = claim().get(0);
    outbox.replay(ReplayFilter.ofIds(List.of(stale.id())), false);
    OutboxRow current = claim().get(0);
    assertThat(current.attempts()).isEqualTo(stale.attempts());
    assertThat(current.lockedBy()).isEqualTo(stale.lockedBy());

    assertThat(delivered(stale)).isFalse();
    assertThat(
            outbox.retryOrFail(
                stale, attempt(500, "HTTP 500"), Duration.ofSeconds(1), 25, Duration.ofHours(72)))
        .isEmpty();
    assertThat(delivered(current)).isTrue();
  }

  @Test
  void an_answer_holding_a_nul_character_is_recorded_with_the_deliveries_beside_it() {
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c2", "w2")));
    List<OutboxRow> rows = claim();
    DeliveryAttempt nul =
        new DeliveryAttempt(Instant.now(), Duration.ofMillis(5), 200, null, "ok\u0000");
    assertThat(
            outbox.markDelivered(
                List.of(
                    new OutboxRepository.Delivered(rows.get(0), nul),
                    new OutboxRepository.Delivered(rows.get(1), attempt(200, null)))))
        .containsExactly(true, true);
    assertThat(outbox.attempts(rows.get(0).id()).get(0).responseBody()).isEqualTo("ok\uFFFD");
  }

  @Test
  void release_gives_the_row_back_without_counting_the_attempt() {
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow row = claim().get(0);
    assertThat(outbox.release(row)).isTrue();
    OutboxRow again = claim().get(0);
    assertThat(again.attempts()).isEqualTo(1);
  }

  @Test
  void retention_deletes_delivered_rows_only_once_they_are_old_enough() {
    deliverW1AndFailW2();
    assertThat(outbox.deleteDelivered(Duration.ofDays(7), 1000)).isZero();
    clock.advance(Duration.ofDays(8));
    assertThat(outbox.deleteDelivered(Duration.ofDays(7), 1000)).isEqualTo(1);
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.DELIVERED, 0L)
        .containsEntry(OutboxStatus.FAILED, 1L);
  }
}
