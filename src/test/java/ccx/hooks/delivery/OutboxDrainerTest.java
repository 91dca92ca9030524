package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.breaker.BreakerPolicy;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.Ordering;
import ccx.hooks.core.Hook;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.ListFilter;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.outbox.RecordedAttempt;
import ccx.hooks.outbox.ReplayFilter;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.wire.HookHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The drainer against a real PostgreSQL and a real HTTP integrator. Schedules are tested by moving
 * the outbox clock and calling drainOnce(), never by sleeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxDrainerTest {
  // An instance field, so that a subclass's timeZone() is used; JUnit calls no afterAll on it.
  @RegisterExtension final OutboxDatabase database = new OutboxDatabase(timeZone());
  private RecordingIntegrator integrator;
  private DatabaseClock clock;
  private OutboxRepository outbox;

  /** The session time zone of this suite's database; a subclass runs it in another. */
  Optional<String> timeZone() {
    return Optional.empty();
  }

  @AfterAll
  void closeDatabase() {
    database.close();
  }

  @BeforeEach
  void start() throws Exception {
    integrator = new RecordingIntegrator();
    clock = database.clock();
    outbox = database.outbox();
  }

  @AfterEach
  void stop() throws Exception {
    integrator.close();
  }

  private OutboxDrainer drainer(String relayId, DeliverySettings settings, HookHttpClient http) {
    return new OutboxDrainer(
        outbox,
        http,
        settings,
        relayId,
        new SimpleMeterRegistry(),
        RandomGenerator.of("L64X128MixRandom"));
  }

  private OutboxDrainer drainer(DeliverySettings settings) {
    return drainer("relay-a", settings, integrator.client());
  }

  private static DeliverySettings settings(int maxAttempts) {
    return TestConfigs.deliveryWithRetry(
        Duration.ofSeconds(1), Duration.ofMinutes(10), maxAttempts);
  }

  private void store(String cluster, String workId) {
    outbox.enqueue(
        List.of(
            NewHook.of(Hook.POST_ADD_NODE)
                .clusterId(cluster)
                .workId(workId)
                .payload("{\"cluster_id\":\"" + cluster + "\",\"work_id\":\"" + workId + "\"}")
                .webhookId("msg_" + workId)
                .build()));
  }

  private OutboxRow row(String workId) {
    return outbox
        .list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 100_000))
        .stream()
        .filter(r -> r.workId().equals(workId))
        .findFirst()
        .orElseThrow();
  }

  /** Drains, moving the clock past every retry, until nothing is pending or delivering. */
  private void drainUntilSettled(OutboxDrainer drainer) {
    for (int round = 0; round < 1000; round++) {
      drainer.drainOnce();
      Map<OutboxStatus, Long> counts = outbox.countByStatus();
      if (counts.get(OutboxStatus.PENDING) == 0 && counts.get(OutboxStatus.DELIVERING) == 0) {
        return;
      }
      clock.advance(Duration.ofMinutes(11));
    }
    throw new AssertionError("outbox did not settle: " + outbox.countByStatus());
  }

  @Test
  void a_stored_hook_is_delivered_with_its_payload_and_webhook_id() {
    store("c1", "w1");
    assertThat(drainer(settings(25)).drainOnce()).isEqualTo(1);
    assertThat(integrator.received())
        .containsExactly(
            new RecordingIntegrator.Received(
                "/hooks/post-add-node", "msg_w1", "{\"work_id\": \"w1\", \"cluster_id\": \"c1\"}"));
    OutboxRow delivered = row("w1");
    assertThat(delivered.status()).isEqualTo(OutboxStatus.DELIVERED);
    assertThat(delivered.deliveredAt()).isNotNull();
    assertThat(delivered.lastHttpStatus()).isEqualTo(200);
    List<RecordedAttempt> attempts = outbox.attempts(delivered.id());
    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).responseBody()).isEqualTo("{}");
  }

  @Test
  void an_idle_drainer_claims_once_a_poll_interval_and_a_stored_hook_wakes_it() throws Exception {
    DeliverySettings d = settings(25);
    DeliverySettings tenSecondPolls =
        new DeliverySettings(
            d.deliveryTimeout(),
            d.drainConcurrency(),
            d.retryInitial(),
            d.retryMax(),
            d.maxAttempts(),
            d.maxAge(),
            d.ordering(),
            d.retention(),
            Duration.ofSeconds(10));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (OutboxDrainer drainer =
        new OutboxDrainer(
            outbox,
            integrator.client(),
            tenSecondPolls,
            "relay-a",
            metrics,
            RandomGenerator.of("L64X128MixRandom"))) {
      drainer.start(database.url());
      Thread.sleep(Duration.ofSeconds(2));
      // The first claim and perhaps one more: woken by its own empty claims, the loop claimed
      // every few milliseconds.
      assertThat(metrics.get("ccx_hook_claim").timer().count()).isBetween(1L, 3L);

      store("c1", "w1");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> integrator.received().size() == 1);
    }
  }

  @Test
  void a_failed_attempt_is_retried_after_the_backoff_and_delivered_once_the_integrator_recovers() {
    integrator.answer(
        (hook, before) -> before < 3 ? RecordingIntegrator.status(503) : RecordingIntegrator.ok());
    store("c1", "w1");
    OutboxDrainer drainer = drainer(settings(25));

    drainer.drainOnce();
    OutboxRow afterFirst = row("w1");
    assertThat(afterFirst.status()).isEqualTo(OutboxStatus.PENDING);
    assertThat(afterFirst.lastHttpStatus()).isEqualTo(503);
    assertThat(afterFirst.lastError()).isEqualTo("HTTP 503");
    assertBackoff(afterFirst, Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(drainer.drainOnce()).as("not due before its backoff").isZero();

    clock.advance(Duration.ofSeconds(1));
    drainer.drainOnce();
    assertBackoff(row("w1"), Duration.ofSeconds(1), Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    drainer.drainOnce();
    assertBackoff(row("w1"), Duration.ofSeconds(2), Duration.ofSeconds(4));
    clock.advance(Duration.ofSeconds(4));
    drainer.drainOnce();

    OutboxRow delivered = row("w1");
    assertThat(delivered.status()).isEqualTo(OutboxStatus.DELIVERED);
    assertThat(delivered.attempts()).isEqualTo(4);
    assertThat(outbox.attempts(delivered.id()))
        .extracting(RecordedAttempt::httpStatus)
        .containsExactly(503, 503, 503, 200);
    assertThat(integrator.received())
        .extracting(RecordingIntegrator.Received::webhookId)
        .containsOnly("msg_w1");
  }

  private static void assertBackoff(OutboxRow row, Duration min, Duration max) {
    Duration wait = Duration.between(row.lastAttemptAt(), row.nextAttemptAt());
    // next_attempt_at is taken after the attempt, last_attempt_at at its claim: allow for the call.
    assertThat(wait).isBetween(min, max.plusSeconds(1));
  }

  @Test
  void a_retry_after_on_429_sets_the_next_attempt() {
    integrator.answer(
        (hook, before) ->
            before == 0
                ? new MockResponse.Builder().code(429).addHeader("Retry-After", "120").build()
                : RecordingIntegrator.ok());
    store("c1", "w1");
    OutboxDrainer drainer = drainer(settings(25));
    drainer.drainOnce();
    assertBackoff(row("w1"), Duration.ofSeconds(120), Duration.ofSeconds(120));
    clock.advance(Duration.ofSeconds(60));
    assertThat(drainer.drainOnce()).isZero();
    clock.advance(Duration.ofSeconds(61));
    assertThat(drainer.drainOnce()).isEqualTo(1);
    assertThat(row("w1").status()).isEqualTo(OutboxStatus.DELIVERED);
  }

  @Test
  void a_hook_that_exhausts_its_attempts_becomes_failed_and_is_delivered_after_replay() {
    integrator.answer((hook, before) -> RecordingIntegrator.status(500));
    store("c1", "w1");
    OutboxDrainer drainer = drainer(settings(3));
    drainUntilSettled(drainer);

    OutboxRow failed = row("w1");
    assertThat(failed.status()).isEqualTo(OutboxStatus.FAILED);
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(integrator.received()).hasSize(3);
    assertThat(database.dsl().fetchCount(database.dsl().selectFrom("failed_hooks"))).isEqualTo(1);

    integrator.answer((hook, before) -> RecordingIntegrator.ok());
    assertThat(outbox.replay(ReplayFilter.ofIds(List.of(failed.id())), false)).isEqualTo(1);
    drainer.drainOnce();
    assertThat(row("w1").status()).isEqualTo(OutboxStatus.DELIVERED);
    assertThat(integrator.received()).hasSize(4);
  }

  @Test
  void a_hook_older_than_the_max_age_fails_at_its_next_failure() {
    integrator.answer((hook, before) -> RecordingIntegrator.status(500));
    store("c1", "w1");
    DeliverySettings shortAge =
        new DeliverySettings(
            Duration.ofSeconds(10),
            16,
            Duration.ofSeconds(1),
            Duration.ofMinutes(10),
            25,
            Duration.ofHours(1),
            Ordering.CLUSTER,
            Duration.ofDays(7),
            Duration.ofSeconds(1));
    OutboxDrainer drainer = drainer(shortAge);
    drainer.drainOnce();
    assertThat(row("w1").status()).isEqualTo(OutboxStatus.PENDING);
    clock.advance(Duration.ofHours(1));
    drainer.drainOnce();
    assertThat(row("w1").status()).isEqualTo(OutboxStatus.FAILED);
    assertThat(row("w1").attempts()).isEqualTo(2);
  }

  @Test
  void each_cluster_receives_its_hooks_in_order_while_every_first_attempt_fails() {
    integrator.answer(
        (hook, before) -> before == 0 ? RecordingIntegrator.status(503) : RecordingIntegrator.ok());
    Map<String, List<String>> sent = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      for (String cluster : List.of("c1", "c2", "c3")) {
        String workId = cluster + "-" + i;
        store(cluster, workId);
        sent.computeIfAbsent(cluster, c -> new ArrayList<>()).add("msg_" + workId);
      }
    }
    drainUntilSettled(drainer(settings(25)));

    for (Map.Entry<String, List<String>> cluster : sent.entrySet()) {
      List<String> firstDeliveries =
          integrator.received().stream()
              .map(RecordingIntegrator.Received::webhookId)
              .filter(id -> id.startsWith("msg_" + cluster.getKey() + "-"))
              .distinct()
              .toList();
      assertThat(firstDeliveries).as(cluster.getKey()).isEqualTo(cluster.getValue());
    }
    assertThat(outbox.countByStatus()).containsEntry(OutboxStatus.DELIVERED, 15L);
  }

  @Test
  void a_cluster_waiting_for_a_retry_does_not_hold_back_other_clusters() {
    integrator.failWith500(webhookId -> webhookId.startsWith("msg_slow"));
    store("slow", "slow-1");
    store("slow", "slow-2");
    store("fast", "fast-1");
    store("fast", "fast-2");
    OutboxDrainer drainer = drainer(settings(25));
    drainer.drainOnce();
    drainer.drainOnce();
    assertThat(row("fast-2").status()).isEqualTo(OutboxStatus.DELIVERED);
    assertThat(row("slow-1").status()).isEqualTo(OutboxStatus.PENDING);
    assertThat(row("slow-2").attempts()).isZero();
  }

  @Test
  void the_rows_of_a_crashed_relay_are_delivered_by_another_once_their_lease_expires() {
    store("c1", "w1");
    store("c2", "w2");
    DeliverySettings settings = settings(25);
    List<OutboxRow> abandoned = outbox.claim("crashed-relay", 10, settings.leaseDuration());
    assertThat(abandoned).hasSize(2);

    OutboxDrainer survivor = drainer("relay-b", settings, integrator.client());
    assertThat(survivor.drainOnce()).isZero();
    clock.advance(settings.leaseDuration());
    assertThat(survivor.drainOnce()).isEqualTo(2);
    assertThat(outbox.countByStatus()).containsEntry(OutboxStatus.DELIVERED, 2L);
    assertThat(outbox.attempts(row("w1").id()))
        .extracting(RecordedAttempt::lockedBy)
        .containsExactly("relay-b");
  }

  @Test
  void while_the_circuit_is_open_rows_keep_their_attempts() {
    integrator.answer((hook, before) -> RecordingIntegrator.status(503));
    for (int i = 0; i < 40; i++) {
      store("c" + i, "w" + i);
    }
    OutboxDrainer drainer =
        drainer("relay-a", settings(25), integrator.clientWithBreaker(Duration.ofMinutes(5)));
    for (int round = 0; round < 6; round++) {
      drainer.drainOnce();
      clock.advance(Duration.ofMinutes(11));
    }
    // The breaker opens once its minimum of calls are outages (some of the 25 in flight then are
    // answered still); from then on nothing is sent and nothing is counted.
    assertThat(integrator.received())
        .hasSizeLessThanOrEqualTo(BreakerPolicy.deliveries().outageMinimumCalls() + 25);
    int attempts =
        outbox
            .list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 100))
            .stream()
            .mapToInt(OutboxRow::attempts)
            .sum();
    assertThat(attempts).isEqualTo(integrator.received().size());
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.FAILED, 0L)
        .containsEntry(OutboxStatus.DELIVERING, 0L);
  }

  @Test
  void a_queued_pre_hook_is_delivered_before_the_post_hook_of_its_cluster() {
    outbox.enqueue(
        List.of(
            NewHook.of(Hook.PRE_REMOVE_NODE)
                .clusterId("c1")
                .workId("w1")
                .payload("{\"auth_id\":\"\"}")
                .webhookId("msg_pre")
                .build()));
    outbox.enqueue(
        List.of(
            NewHook.of(Hook.POST_REMOVE_NODE)
                .clusterId("c1")
                .workId("w1")
                .payload("{}")
                .webhookId("msg_post")
                .build()));
    integrator.answer(
        (hook, before) -> before == 0 ? RecordingIntegrator.status(503) : RecordingIntegrator.ok());
    drainUntilSettled(drainer(settings(25)));
    assertThat(integrator.received().stream().map(RecordingIntegrator.Received::path).distinct())
        .containsExactly("/hooks/pre-remove-node", "/hooks/post-remove-node");
  }

  @Test
  void retention_deletes_delivered_hooks_after_the_retention_and_keeps_failed_ones() {
    integrator.failWith500(webhookId -> webhookId.equals("msg_bad"));
    store("c1", "good");
    store("c2", "bad");
    drainUntilSettled(drainer(settings(1)));
    RetentionSweeper sweeper = new RetentionSweeper(outbox, Duration.ofDays(7));
    assertThat(sweeper.sweepOnce()).isZero();
    clock.advance(Duration.ofDays(8));
    assertThat(sweeper.sweepOnce()).isEqualTo(1);
    assertThat(outbox.countByStatus())
        .containsEntry(OutboxStatus.DELIVERED, 0L)
        .containsEntry(OutboxStatus.FAILED, 1L);
  }

  @Test
  void timestamps_are_the_same_instants_whatever_the_session_time_zone() {
    store("c1", "w1");
    OffsetDateTime created = row("w1").createdAt();
    OffsetDateTime now = OffsetDateTime.now();
    assertThat(Duration.between(created, now).abs()).isLessThan(Duration.ofMinutes(1));
  }
}
