package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ccx.hooks.breaker.BreakerState;
import ccx.hooks.breaker.CallKind;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.core.Hook;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PostDeleteClusterRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreAddNodeResponse;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One misbehaving endpoint or caller never stalls the rest (DESIGN section 4): a real gRPC relay,
 * its real HTTP client and breakers, a real PostgreSQL outbox and a real HTTP integrator.
 */
class PreHookIsolationTest {
  private static final Duration PRE_HOOK_TIMEOUT = Duration.ofSeconds(2);

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  @RegisterExtension final IntegratorAndRelay fixture = IntegratorAndRelay.on(database);
  private OutboxDrainer drainer;
  private HookHttpClient http;

  @AfterEach
  void stopDrainer() {
    if (drainer != null) {
      drainer.close();
    }
  }

  private void answer(java.util.function.Function<String, MockResponse> byPath) {
    fixture
        .integrator()
        .setDispatcher(
            new Dispatcher() {
              @Override
              public MockResponse dispatch(RecordedRequest request) {
                return byPath.apply(request.getUrl().encodedPath());
              }
            });
  }

  private InProcessRelay relay(FailurePolicy policy, EndpointBreakers breakers) {
    http =
        HookHttpClient.create(
            new HookTarget(
                fixture.integrator().url("/hooks"), Optional.empty(), WebhookSigner.none()),
            breakers);
    return fixture.start(http, new PreHookSettings(PRE_HOOK_TIMEOUT, policy));
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private static PreAddNodeRequest preAddNode(String cluster) {
    return HookRequests.PRE_ADD_NODE.toBuilder().setClusterId(cluster).build();
  }

  @Test
  void a_failing_delivery_endpoint_leaves_approvals_and_the_other_hooks_flowing() {
    // A bug in one handler of the integrator: post-delete-cluster answers 503, the rest is fine.
    answer(
        path ->
            switch (path) {
              case "/hooks/post-delete-cluster" -> json(503, "{\"error\":\"handler bug\"}");
              case "/hooks/pre-add-node", "/hooks/pre-create-cluster" ->
                  json(200, "{\"approved\": true}");
              default -> json(200, "{}");
            });
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    relay(FailurePolicy.ERROR, EndpointBreakers.create(metrics));
    DeliverySettings settings =
        TestConfigs.deliveryWithRetry(Duration.ofMillis(100), Duration.ofMillis(500), 25);
    drainer =
        new OutboxDrainer(
            database.outbox(),
            http,
            settings,
            "relay-a",
            metrics,
            RandomGenerator.of("L64X128MixRandom"));
    drainer.start(database.url());

    for (int i = 0; i < 40; i++) {
      fixture
          .stub()
          .postDeleteCluster(
              PostDeleteClusterRequest.newBuilder()
                  .setClusterId("gone-" + i)
                  .setWorkId("w-del-" + i)
                  .build());
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                http.breakers().of(CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER).state()
                    == BreakerState.OPEN);

    // With that endpoint out, every approval is asked and answered, and other hooks are delivered.
    for (int i = 0; i < 30; i++) {
      PreAddNodeResponse answer =
          fixture.stub().withDeadlineAfter(5, TimeUnit.SECONDS).preAddNode(preAddNode("c-" + i));
      assertThat(answer.getApproved()).as("approval %d", i).isTrue();
      fixture
          .stub()
          .postAddNode(
              PostAddNodeRequest.newBuilder().setClusterId("c-" + i).setWorkId("w-" + i).build());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        database
                            .dsl()
                            .fetchCount(
                                database
                                    .dsl()
                                    .selectFrom("hook_outbox")
                                    .where("hook = 'post-add-node' AND status = 'delivered'")))
                    .isEqualTo(30));
    assertThat(http.breakers().of(CallKind.PREHOOK, Hook.PRE_ADD_NODE).state())
        .isEqualTo(BreakerState.CLOSED);
    assertThat(http.breakers().of(CallKind.DELIVERY, Hook.POST_ADD_NODE).state())
        .isEqualTo(BreakerState.CLOSED);
    // The failing endpoint's rows wait without spending their attempts, none failed for good.
    assertThat(
            database
                .dsl()
                .fetchOne(
                    "SELECT max(attempts) FROM hook_outbox WHERE hook = 'post-delete-cluster'")
                .get(0, Integer.class))
        .isLessThan(5);
    assertThat(metrics.scrape())
        .contains("ccx_hook_breaker_state{hook=\"post-delete-cluster\",kind=\"delivery\"} 2.0")
        .contains("ccx_hook_breaker_state{hook=\"post-add-node\",kind=\"delivery\"} 0.0")
        .contains("ccx_hook_breaker_state{hook=\"pre-add-node\",kind=\"prehook\"} 0.0")
        .containsPattern(
            "ccx_hook_breaker_refused_total\\{hook=\"post-delete-cluster\",kind=\"delivery\"\\}"
                + " [0-9.]+");
  }

  @Test
  void a_call_whose_deadline_leaves_too_little_time_fails_fast_without_calling_the_integrator() {
    answer(path -> json(200, "{\"approved\": true}"));
    relay(FailurePolicy.APPROVE, breakers());

    assertThatThrownBy(
            () ->
                fixture
                    .stub()
                    .withDeadlineAfter(40, TimeUnit.MILLISECONDS)
                    .preAddNode(preAddNode("c-1")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(fixture.integrator().getRequestCount()).isZero();
  }

  @Test
  void no_number_of_short_deadline_calls_changes_how_the_next_normal_call_is_served() {
    // The integrator takes 300 ms; callers whose deadline is shorter give up first.
    answer(
        path ->
            new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true, \"work_id\": \"w-slow\"}")
                .headersDelay(300, TimeUnit.MILLISECONDS)
                .build());
    relay(FailurePolicy.ERROR, breakers());

    for (int i = 0; i < 40; i++) {
      // Some leave too little time to ask at all, the others time out while the integrator works.
      long deadlineMillis = i % 2 == 0 ? 30 : 150;
      assertThatThrownBy(
              () ->
                  fixture
                      .stub()
                      .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                      .preAddNode(preAddNode("c-short")))
          .isInstanceOf(StatusRuntimeException.class);
    }

    assertThat(http.breakers().of(CallKind.PREHOOK, Hook.PRE_ADD_NODE).state())
        .isEqualTo(BreakerState.CLOSED);
    PreAddNodeResponse normal =
        fixture.stub().withDeadlineAfter(5, TimeUnit.SECONDS).preAddNode(preAddNode("c-normal"));
    assertThat(normal.getApproved()).isTrue();
    assertThat(normal.getWorkId()).isEqualTo("w-slow");
  }

  @Test
  void a_hung_endpoint_opens_its_breaker_though_every_caller_cuts_its_calls_short()
      throws Exception {
    // The integrator takes every call and never answers; each caller gives 1.5 s of the 2 s
    // pre-hook timeout, more than half: its timeouts are the endpoint's, as a whole one would be.
    answer(
        path ->
            new MockResponse.Builder()
                .onResponseStart(mockwebserver3.SocketEffect.Stall.INSTANCE)
                .build());
    relay(FailurePolicy.ERROR, breakers());

    try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0;
          round < 10
              && http.breakers().of(CallKind.PREHOOK, Hook.PRE_ADD_NODE).state()
                  == BreakerState.CLOSED;
          round++) {
        var calls = new java.util.ArrayList<java.util.concurrent.Future<?>>();
        for (int i = 0; i < 10; i++) {
          calls.add(
              callers.submit(
                  () ->
                      catchThrowable(
                          () ->
                              fixture
                                  .stub()
                                  .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                                  .preAddNode(preAddNode("c-hung")))));
        }
        for (var call : calls) {
          call.get(10, TimeUnit.SECONDS);
        }
      }
    }

    assertThat(http.breakers().of(CallKind.PREHOOK, Hook.PRE_ADD_NODE).state())
        .isEqualTo(BreakerState.OPEN);
    long sent = fixture.integrator().getRequestCount();
    assertThatThrownBy(
            () ->
                fixture
                    .stub()
                    .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                    .preAddNode(preAddNode("c-next")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("circuit breaker open");
            });
    assertThat(fixture.integrator().getRequestCount()).isEqualTo(sent);
  }

  @ParameterizedTest(name = "under --pre-hook-failure {0}")
  @EnumSource(FailurePolicy.class)
  void a_call_cut_short_by_its_callers_deadline_is_answered_so_under_every_policy(
      FailurePolicy policy) {
    // The integrator would approve after 1 s; the caller gives 300 ms of the 2 s timeout.
    answer(
        path ->
            new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true}")
                .headersDelay(1, TimeUnit.SECONDS)
                .build());
    relay(policy, breakers());

    assertThatThrownBy(
            () ->
                fixture
                    .stub()
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .preAddNode(preAddNode("c-1")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(fixture.integrator().getRequestCount()).isEqualTo(1);
    assertThat(http.breakers().of(CallKind.PREHOOK, Hook.PRE_ADD_NODE).state())
        .isEqualTo(BreakerState.CLOSED);
  }

  @ParameterizedTest(name = "under --pre-hook-failure {0}")
  @EnumSource(FailurePolicy.class)
  void a_4xx_refusal_is_a_rejection_under_every_policy(FailurePolicy policy) {
    for (int status : new int[] {400, 401, 402, 403, 404, 409, 422}) {
      answer(path -> json(status, "{\"approved\": true, \"reason\": \"over quota\"}"));
      relay(policy, breakers());

      for (ApprovalRpc rpc : ApprovalRpc.values()) {
        ApprovalRpc.Decision decision = rpc.call(fixture.stub());
        assertThat(decision.approved()).as("%s answered %d", rpc, status).isFalse();
        assertThat(decision.reason()).contains("HTTP " + status).contains("over quota");
      }
      fixture.stop();
    }
  }

  @ParameterizedTest(name = "HTTP {0} under --pre-hook-failure reject")
  @ValueSource(ints = {408, 429})
  void a_408_or_429_is_no_answer_and_goes_to_the_failure_policy(int status) {
    answer(path -> json(status, "{\"approved\": true}"));
    relay(FailurePolicy.REJECT, breakers());

    ApprovalRpc.Decision decision = ApprovalRpc.PRE_ADD_NODE.call(fixture.stub());

    assertThat(decision.approved()).isFalse();
    assertThat(decision.reason()).isEqualTo("integrator answered HTTP " + status);
  }

  private EndpointBreakers breakers() {
    return EndpointBreakers.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"approved\": true, \"work_id\": \"LONG\"}",
        "{\"approved\": true, \"work_id\": \"w\\u0000x\"}",
        "{\"approved\": true, \"work_id\": 42}",
        "{\"approved\": true, \"workId\": {\"id\": \"w\"}}",
        "{\"approved\": true, \"workID\": [\"w\"]}"
      })
  void a_work_id_that_the_post_hook_would_refuse_is_a_failed_answer(String body) {
    answer(path -> json(200, body.replace("LONG", "w".repeat(256))));
    relay(FailurePolicy.REJECT, breakers());

    ApprovalRpc.Decision decision = ApprovalRpc.PRE_CREATE_CLUSTER.call(fixture.stub());

    assertThat(decision.approved()).isFalse();
    assertThat(decision.reason()).startsWith("HTTP 200 but work_id");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"work_id", "workId", "workID"})
  void the_integrators_work_id_is_read_in_each_spelling(String name) {
    answer(path -> json(200, "{\"approved\": true, \"" + name + "\": \"w-integrator\"}"));
    relay(FailurePolicy.ERROR, breakers());

    ApprovalRpc.Decision decision = ApprovalRpc.PRE_ADD_NODE.call(fixture.stub());

    assertThat(decision.approved()).isTrue();
    assertThat(decision.workId()).isEqualTo("w-integrator");
  }

  @Test
  void a_notice_hook_whose_work_id_the_post_hook_would_refuse_is_queued_under_the_relays_own() {
    answer(path -> json(200, "{\"work_id\": \"" + "w".repeat(300) + "\"}"));
    relay(FailurePolicy.ERROR, breakers());

    String workId = fixture.stub().preRemoveNode(HookRequests.PRE_REMOVE_NODE).getWorkId();

    assertThat(workId).hasSizeLessThanOrEqualTo(255).isNotBlank();
    assertThat(OutboxTable.rows(database))
        .singleElement()
        .satisfies(row -> assertThat(row.workId()).isEqualTo(workId));
  }

  @Test
  void the_queued_copy_of_a_notice_hook_carries_the_work_id_returned_to_ccx() {
    answer(path -> json(503, "{}"));
    relay(FailurePolicy.ERROR, breakers());

    String removeWorkId = fixture.stub().preRemoveNode(HookRequests.PRE_REMOVE_NODE).getWorkId();
    String deleteWorkId =
        fixture.stub().preDeleteCluster(HookRequests.PRE_DELETE_CLUSTER).getWorkId();

    assertThat(OutboxTable.rows(database))
        .extracting(row -> row.hook(), row -> row.payload().get("work_id").getAsString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("pre-remove-node", removeWorkId),
            org.assertj.core.groups.Tuple.tuple("pre-delete-cluster", deleteWorkId));
  }
}
