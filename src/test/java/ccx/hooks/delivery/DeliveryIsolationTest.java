package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.breaker.BreakerPolicy;
import ccx.hooks.breaker.BreakerState;
import ccx.hooks.breaker.CallKind;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.core.Hook;
import ccx.hooks.outbox.ListFilter;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.wire.HookHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One failing endpoint or one bad row never stalls the rest of the outbox: a started drainer with
 * the relay's own breakers, a real PostgreSQL and a real HTTP integrator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryIsolationTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private RecordingIntegrator integrator;
  private OutboxRepository outbox;
  private OutboxDrainer drainer;

  @BeforeEach
  void start() throws Exception {
    integrator = new RecordingIntegrator();
    outbox = database.outbox();
  }

  @AfterEach
  void stop() throws Exception {
    if (drainer != null) {
      drainer.close();
      drainer = null;
    }
    integrator.close();
  }

  private void startDrainer(HookHttpClient http) {
    startDrainer(http, DeliverySettings.defaults().deliveryTimeout());
  }

  private void startDrainer(HookHttpClient http, Duration deliveryTimeout) {
    DeliverySettings settings =
        TestConfigs.withDeliveryTimeout(
            TestConfigs.deliveryWithRetry(Duration.ofMillis(100), Duration.ofMillis(500), 25),
            deliveryTimeout);
    drainer =
        new OutboxDrainer(
            outbox,
            http,
            settings,
            "relay-a",
            new SimpleMeterRegistry(),
            RandomGenerator.of("L64X128MixRandom"));
    drainer.start(database.url());
  }

  private void store(Hook hook, String cluster, String workId) {
    outbox.enqueue(
        List.of(
            NewHook.of(hook)
                .clusterId(cluster)
                .workId(workId)
                .payload("{\"cluster_id\":\"" + cluster + "\",\"work_id\":\"" + workId + "\"}")
                .webhookId("msg_" + workId)
                .build()));
  }

  private List<OutboxRow> rows() {
    return outbox.list(
        new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 10_000));
  }

  private int attemptsOf(Hook hook) {
    return rows().stream().filter(r -> r.hook() == hook).mapToInt(OutboxRow::attempts).sum();
  }

  private long count(OutboxStatus status) {
    return outbox.countByStatus().get(status);
  }

  @Test
  void a_flaky_integrator_gets_every_hook_delivered_in_cluster_order_within_30_seconds() {
    // A dependency of the integrator warming up: 500, 500, then 200 for each webhook-id.
    integrator.answer(
        (hook, before) -> before < 2 ? RecordingIntegrator.status(500) : RecordingIntegrator.ok());
    Map<String, List<String>> stored = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      String cluster = "c" + (i % 10);
      store(Hook.POST_ADD_NODE, cluster, "w" + i);
      stored.computeIfAbsent(cluster, c -> new ArrayList<>()).add("msg_w" + i);
    }
    startDrainer(integrator.clientWith(EndpointBreakers.create(new SimpleMeterRegistry())));

    await().atMost(Duration.ofSeconds(30)).until(() -> count(OutboxStatus.DELIVERED) == 200);

    Map<String, List<String>> firstDeliveries = new LinkedHashMap<>();
    for (RecordingIntegrator.Received r : integrator.received()) {
      String cluster = r.body().replaceAll(".*\"cluster_id\": ?\"(c[0-9]+)\".*", "$1");
      List<String> order = firstDeliveries.computeIfAbsent(cluster, c -> new ArrayList<>());
      if (!order.contains(r.webhookId())) {
        order.add(r.webhookId());
      }
    }
    assertThat(firstDeliveries).isEqualTo(stored);
    // The longest run of failed calls with no success between them: what the breaker's "every
    // recent call failing" must not take for an outage (see BreakerPolicy.deliveries()).
    Map<String, Integer> seen = new java.util.HashMap<>();
    int run = 0;
    int longest = 0;
    for (RecordingIntegrator.Received r : integrator.received()) {
      boolean failed = seen.merge(r.webhookId(), 1, Integer::sum) <= 2;
      run = failed ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    System.out.printf("flaky integrator: longest run of failed calls %d%n", longest);
  }

  @Test
  void while_one_endpoint_is_out_its_rows_keep_their_attempts_and_the_other_hooks_flow() {
    java.util.concurrent.atomic.AtomicBoolean down =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    integrator.answer(
        (hook, before) ->
            down.get() && hook.path().endsWith("/post-delete-cluster")
                ? RecordingIntegrator.status(503)
                : RecordingIntegrator.ok());
    BreakerPolicy deliveries = BreakerPolicy.deliveries().withOpenFor(Duration.ofSeconds(1));
    EndpointBreakers breakers =
        new EndpointBreakers(BreakerPolicy.preHooks(), deliveries, new SimpleMeterRegistry());
    for (int i = 0; i < 40; i++) {
      store(Hook.POST_DELETE_CLUSTER, "gone-" + i, "d" + i);
    }
    startDrainer(integrator.clientWith(breakers));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                breakers.of(CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER).state()
                    != BreakerState.CLOSED);

    int attemptsWhenOpened = attemptsOf(Hook.POST_DELETE_CLUSTER);
    for (int i = 0; i < 100; i++) {
      store(Hook.POST_ADD_NODE, "c-" + i, "a" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> count(OutboxStatus.DELIVERED) == 100);
    // For three more seconds of outage the endpoint's rows spend only the probes' attempts: a few
    // rows per second open, where without the breaker each of the 40 would be tried every 0.5 s.
    await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
    int spent = attemptsOf(Hook.POST_DELETE_CLUSTER) - attemptsWhenOpened;
    int halfOpenings = 3 + 2; // one per second open, and the rounding of both ends
    assertThat(spent).isLessThanOrEqualTo(halfOpenings * deliveries.probes());
    assertThat(count(OutboxStatus.FAILED)).isZero();

    // The endpoint comes back: the probes find it, and the backlog goes.
    down.set(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> count(OutboxStatus.DELIVERED) == 140);
  }

  @Test
  void while_one_endpoint_hangs_the_other_hooks_go_on_long_before_its_calls_time_out() {
    // post-delete-cluster accepts the connection and never answers in time: every call to it
    // takes the whole delivery timeout, and its rows alone would fill every slot.
    Duration timeout = Duration.ofSeconds(5);
    integrator.answer(
        (hook, before) ->
            hook.path().endsWith("/post-delete-cluster")
                ? new MockResponse.Builder()
                    .code(200)
                    .body("{}")
                    .headersDelay(30, TimeUnit.SECONDS)
                    .build()
                : RecordingIntegrator.ok());
    for (int i = 0; i < 100; i++) {
      store(Hook.POST_DELETE_CLUSTER, "gone-" + i, "d" + i);
    }
    startDrainer(
        integrator.clientWith(EndpointBreakers.create(new SimpleMeterRegistry())), timeout);
    await().atMost(Duration.ofSeconds(5)).until(() -> count(OutboxStatus.DELIVERING) > 0);

    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      store(Hook.POST_ADD_NODE, "c-" + i, "a" + i);
    }
    // Its calls give up their slots after CallsOut.SLOW_CALL, and it may have no more out.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> attemptsOf(Hook.POST_ADD_NODE) >= 100 && count(OutboxStatus.DELIVERED) == 100);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "a hanging endpoint: 100 other hooks delivered in %d ms%n", waited.toMillis());
    assertThat(waited).isLessThan(timeout);
    // None of its calls has timed out yet, and it got no more out than there are slots.
    assertThat(
            integrator.received().stream()
                .filter(r -> r.path().endsWith("/post-delete-cluster"))
                .count())
        .isLessThanOrEqualTo(DeliverySettings.defaults().drainConcurrency());
  }

  @Test
  void a_stopped_drainer_leaves_no_row_leased_and_no_attempt_unrecorded() {
    integrator.answer(
        (hook, before) ->
            new mockwebserver3.MockResponse.Builder()
                .code(200)
                .body("{}")
                .headersDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .build());
    for (int i = 0; i < 300; i++) {
      store(Hook.POST_ADD_NODE, "", "w" + i);
    }
    startDrainer(integrator.client());
    await().atMost(Duration.ofSeconds(20)).until(() -> count(OutboxStatus.DELIVERED) >= 20);

    drainer.close();
    drainer = null;

    assertThat(count(OutboxStatus.DELIVERING)).isZero();
    int recorded =
        database.dsl().fetchOne("SELECT count(*) FROM hook_delivery_attempt").get(0, Integer.class);
    assertThat(rows().stream().mapToInt(OutboxRow::attempts).sum()).isEqualTo(recorded);
  }

  @Test
  void a_row_the_relay_cannot_read_fails_alone_and_the_rest_of_its_batch_is_delivered() {
    for (int i = 0; i < 10; i++) {
      store(Hook.POST_ADD_NODE, "c" + i, "w" + i);
      if (i == 3) {
        database
            .dsl()
            .execute(
                "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id)"
                    + " VALUES ('post-upgrade-cluster', 'w-new', 'c-new', '{}', 'msg_new')");
      }
      if (i == 8) {
        database
            .dsl()
            .execute(
                "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id)"
                    + " VALUES ('post-add-node', 'w-header', 'c-header', '{}', E'msg_\\nbad')");
      }
      if (i == 6) {
        database
            .dsl()
            .execute(
                "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id)"
                    + " VALUES ('post-add-node', 'w-array', 'c-array', '[1, 2]', 'msg_array')");
      }
    }
    OutboxDrainer once =
        new OutboxDrainer(
            outbox,
            integrator.client(),
            DeliverySettings.defaults(),
            "relay-a",
            new SimpleMeterRegistry(),
            RandomGenerator.of("L64X128MixRandom"));

    once.drainOnce();
    once.close();

    assertThat(count(OutboxStatus.DELIVERED)).isEqualTo(10);
    assertThat(count(OutboxStatus.FAILED)).isEqualTo(3);
    assertThat(count(OutboxStatus.DELIVERING)).isZero();
    assertThat(
            database
                .dsl()
                .fetch(
                    "SELECT work_id, attempts, last_error FROM hook_outbox WHERE status = 'failed'"
                        + " ORDER BY id")
                .map(
                    r ->
                        r.get(0, String.class)
                            + " "
                            + r.get(1, Integer.class)
                            + " "
                            + r.get(2, String.class)))
        .satisfiesExactly(
            r ->
                assertThat(r)
                    .isEqualTo(
                        "w-new 0 the relay cannot deliver this row: unknown hook"
                            + " 'post-upgrade-cluster' in row "
                            + rowId("w-new")),
            r ->
                assertThat(r)
                    .isEqualTo(
                        "w-array 0 the relay cannot deliver this row: payload is not a JSON object"),
            // Its one attempt is on record: it got as far as building the request.
            r ->
                assertThat(r)
                    .startsWith(
                        "w-header 1 the relay cannot deliver this row: cannot build the request:"));
    assertThat(integrator.received()).hasSize(10);
  }

  private long rowId(String workId) {
    return database
        .dsl()
        .fetchOne("SELECT id FROM hook_outbox WHERE work_id = ?", workId)
        .get(0, Long.class);
  }

  @Test
  void a_replay_racing_the_retention_sweep_keeps_the_replayed_row() throws Exception {
    store(Hook.POST_ADD_NODE, "c1", "w1");
    long id = rowId("w1");
    database
        .dsl()
        .execute(
            "UPDATE hook_outbox SET status = 'delivered', delivered_at = now() - interval '8 days'"
                + " WHERE id = ?",
            id);
    // A replay holds the row (committed a moment later) while the sweep's DELETE has already
    // chosen it: the DELETE waits for the row, then must see that it is no longer delivered.
    try (Connection replay = database.url().connect(Map.of())) {
      replay.setAutoCommit(false);
      try (Statement s = replay.createStatement()) {
        s.executeUpdate(
            "UPDATE hook_outbox SET status = 'pending', attempts = 0, delivered_at = NULL,"
                + " replayed_at = now() WHERE id = "
                + id);
      }
      CompletableFuture<Integer> sweep =
          CompletableFuture.supplyAsync(() -> outbox.deleteDelivered(Duration.ofDays(7), 100));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  database
                          .dsl()
                          .fetchOne(
                              "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                  + " AND query ILIKE '%delete from hook_outbox%'")
                          .get(0, Integer.class)
                      > 0);
      replay.commit();
      assertThat(sweep.get()).isZero();
    }
    assertThat(outbox.find(id)).get().extracting(OutboxRow::status).isEqualTo(OutboxStatus.PENDING);
  }
}
