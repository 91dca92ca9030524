package ccx.hooks.grpc;

import static ccx.hooks.grpc.HookRequests.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.PostDeleteClusterRequest;
import ccx.hooks.v1.PostRemoveNodeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PreRemoveNode and PreDeleteCluster, which cannot reject (DESIGN section 4): any 2xx succeeds; on
 * failure the caller still gets a work_id and the hook waits in the outbox, without its auth_id.
 */
class NoticeHookTest {
  private static final Duration PRE_HOOK_TIMEOUT = Duration.ofMillis(500);

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  @RegisterExtension final IntegratorAndRelay fixture = IntegratorAndRelay.on(database);

  private InProcessRelay relay(HttpUrl hookUrl, Duration timeout) {
    return fixture.start(hookUrl, FailurePolicy.ERROR, timeout);
  }

  private InProcessRelay relay() {
    return relay(fixture.url(), PRE_HOOK_TIMEOUT);
  }

  static Stream<Arguments> everyNoticeRpcWith2xxCodes() {
    return Arrays.stream(NoticeRpc.values())
        .flatMap(rpc -> Stream.of(200, 201, 202).map(code -> Arguments.of(rpc, code)));
  }

  @ParameterizedTest(name = "{0} HTTP {1}")
  @MethodSource("everyNoticeRpcWith2xxCodes")
  void any_2xx_answer_succeeds_with_the_integrators_work_id(NoticeRpc rpc, int code) {
    fixture
        .integrator()
        .enqueue(new MockResponse.Builder().code(code).body("{\"work_id\": \"w-5\"}").build());

    assertThat(rpc.call(relay().stub())).isEqualTo("w-5");
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  static Stream<Arguments> everyNoticeRpcWithAnswersWithoutWorkId() {
    List<MockResponse> answers =
        Stream.of("", "OK", "<html>accepted</html>", "{}", "{\"approved\": false}", "[]", "null")
            .map(body -> new MockResponse.Builder().code(200).body(body).build())
            .collect(Collectors.toCollection(ArrayList::new));
    answers.add(new MockResponse.Builder().code(204).build());
    return Arrays.stream(NoticeRpc.values())
        .flatMap(rpc -> answers.stream().map(answer -> Arguments.of(rpc, answer)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyNoticeRpcWithAnswersWithoutWorkId")
  void a_2xx_without_a_work_id_succeeds_with_a_generated_one(NoticeRpc rpc, MockResponse answer) {
    fixture.integrator().enqueue(answer);

    String workId = rpc.call(relay().stub());

    assertThat(UUID.fromString(workId)).isNotNull();
    assertThat(fixture.integrator().getRequestCount()).isEqualTo(1);
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  static Stream<Arguments> everyNoticeRpcWithEveryFailure() {
    return Arrays.stream(NoticeRpc.values())
        .flatMap(
            rpc ->
                Arrays.stream(IntegratorFailure.values())
                    .filter(IntegratorFailure::failsNoticeHooks)
                    .map(f -> Arguments.of(rpc, f)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyNoticeRpcWithEveryFailure")
  void on_failure_the_rpc_answers_ok_and_queues_the_pre_hook_without_its_auth_id(
      NoticeRpc rpc, IntegratorFailure failure) throws InterruptedException {
    HttpUrl hookUrl = failure.arrange(fixture.integrator());

    String workId = rpc.call(relay(hookUrl, PRE_HOOK_TIMEOUT).stub());

    assertThat(UUID.fromString(workId)).isNotNull();
    List<OutboxTable.Row> rows = OutboxTable.rows(database);
    assertThat(rows).hasSize(1);
    OutboxTable.Row queued = rows.getFirst();
    assertThat(queued.hook()).isEqualTo(rpc.hook);
    assertThat(queued.workId()).isEqualTo(workId);
    assertThat(queued.clusterId()).isEqualTo(HookRequests.CLUSTER);
    assertThat(queued.status()).isEqualTo("pending");
    // The stored request without its session id, and the work_id CCX was given.
    com.google.gson.JsonObject stored = json(rpc.storedBody).getAsJsonObject();
    stored.addProperty("work_id", workId);
    assertThat(queued.payload()).isEqualTo(stored);
    assertThat(queued.payload().get("auth_id").getAsString()).isEmpty();
    if (failure == IntegratorFailure.REFUSED) {
      assertThat(queued.webhookId()).startsWith("msg_");
    } else {
      RecordedRequest failedCall = fixture.integrator().takeRequest(5, TimeUnit.SECONDS);
      assertThat(failedCall).isNotNull();
      assertThat(queued.webhookId()).isEqualTo(failedCall.getHeaders().get("webhook-id"));
      assertThat(json(Objects.requireNonNull(failedCall.getBody()).utf8()).getAsJsonObject())
          .as("the failed call itself carried the auth_id")
          .isNotEqualTo(queued.payload());
    }
  }

  @ParameterizedTest
  @EnumSource(NoticeRpc.class)
  void the_queued_pre_hook_is_stored_before_its_post_hook(NoticeRpc rpc) {
    fixture.integrator().enqueue(new MockResponse.Builder().code(503).build());
    InProcessRelay relay = relay();

    String workId = rpc.call(relay.stub());
    switch (rpc) {
      case PRE_REMOVE_NODE ->
          relay
              .stub()
              .postRemoveNode(
                  PostRemoveNodeRequest.newBuilder()
                      .setClusterId(HookRequests.CLUSTER)
                      .setNodeId("n-2")
                      .setWorkId(workId)
                      .build());
      case PRE_DELETE_CLUSTER ->
          relay
              .stub()
              .postDeleteCluster(
                  PostDeleteClusterRequest.newBuilder()
                      .setClusterId(HookRequests.CLUSTER)
                      .setStatus("deleted")
                      .setWorkId(workId)
                      .build());
    }

    assertThat(OutboxTable.rows(database))
        .extracting(OutboxTable.Row::hook, OutboxTable.Row::workId)
        .containsExactly(tuple(rpc.hook, workId), tuple(rpc.hook.replace("pre-", "post-"), workId));
  }

  /**
   * The integrator accepts after 2s, the pre-hook timeout is 5s, the caller gives 300ms. Had the
   * relay waited its own 5s, the late 2xx would be a success and nothing would be queued; a queued
   * copy proves the call was cut at the caller's deadline.
   */
  @ParameterizedTest
  @EnumSource(NoticeRpc.class)
  void the_pre_hook_timeout_is_shortened_to_the_callers_deadline(NoticeRpc rpc) {
    fixture
        .integrator()
        .enqueue(
            new MockResponse.Builder()
                .code(200)
                .body("{\"work_id\": \"w-late\"}")
                .headersDelay(2, TimeUnit.SECONDS)
                .build());
    InProcessRelay relay = relay(fixture.url(), Duration.ofSeconds(5));

    try {
      String workId = rpc.call(relay.stub().withDeadlineAfter(300, TimeUnit.MILLISECONDS));
      assertThat(workId).isNotEqualTo("w-late");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(OutboxTable.rows(database))
                    .singleElement()
                    .extracting(OutboxTable.Row::hook)
                    .isEqualTo(rpc.hook));
  }
}
