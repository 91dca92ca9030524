package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.grpc.ApprovalRpc.Decision;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.PreCreateClusterResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PreCreateCluster and PreAddNode (DESIGN sections 3 and 4): approval only on {@code "approved":
 * true}, the integrator's reason and ids passed back, a work_id always, and the three failure
 * policies.
 */
class ApprovalHookTest {
  /** Short, so the timeout cases are quick; far longer than a local answer takes. */
  private static final Duration PRE_HOOK_TIMEOUT = Duration.ofMillis(500);

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  @RegisterExtension final IntegratorAndRelay fixture = IntegratorAndRelay.on(database);

  private InProcessRelay relay(FailurePolicy policy) {
    return fixture.start(policy, PRE_HOOK_TIMEOUT);
  }

  private InProcessRelay relay(FailurePolicy policy, HttpUrl hookUrl, Duration timeout) {
    return fixture.start(hookUrl, policy, timeout);
  }

  /** What {@code rpc} is answered under {@code policy} when the integrator gives this answer. */
  private Decision answered(ApprovalRpc rpc, FailurePolicy policy, int status, String body) {
    fixture.answer(status, body);
    return rpc.call(relay(policy).stub());
  }

  /** What {@code rpc} is answered under {@code policy} when the integrator fails so. */
  private Decision afterFailure(ApprovalRpc rpc, IntegratorFailure failure, FailurePolicy policy) {
    HttpUrl hookUrl = failure.arrange(fixture.integrator());
    return rpc.call(relay(policy, hookUrl, PRE_HOOK_TIMEOUT).stub());
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void approved_true_approves_and_returns_the_integrators_work_id(ApprovalRpc rpc) {
    Decision decision =
        answered(rpc, FailurePolicy.ERROR, 200, "{\"approved\": true, \"work_id\": \"w-42\"}");

    assertThat(decision).isEqualTo(new Decision(true, "w-42", ""));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        """
        {"approved": true, "work_id": "w-1", "user_id": "u-1", "project_id": "p-1",
         "organisation_id": "o-1"}
        """,
        """
        {"approved": true, "workId": "w-1", "userId": "u-1", "projectId": "p-1",
         "organisationId": "o-1"}
        """
      })
  void an_approved_create_cluster_returns_the_ids_named_in_snake_or_lower_camel_case(
      String answer) {
    fixture.answer(200, answer);

    PreCreateClusterResponse response =
        relay(FailurePolicy.ERROR).stub().preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);

    // Protobuf's own JSON parser reads both namings: it says what each answer holds.
    assertThat(response).isEqualTo(AnyRpc.parseIgnoringUnknownFields(response, answer));
    assertThat(response.getOrganisationId()).isEqualTo("o-1");
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void a_missing_work_id_is_filled_with_a_new_uuid(ApprovalRpc rpc) {
    fixture.answer(200, "{\"approved\": true}");
    fixture.answer(200, "{\"approved\": true, \"work_id\": \"\"}");
    InProcessRelay relay = relay(FailurePolicy.ERROR);

    Decision first = rpc.call(relay.stub());
    Decision second = rpc.call(relay.stub());

    assertThat(first.approved()).isTrue();
    assertThat(second.approved()).isTrue();
    assertThat(UUID.fromString(first.workId())).isNotEqualTo(UUID.fromString(second.workId()));
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void a_2xx_without_approved_true_is_a_rejection_with_a_reason(ApprovalRpc rpc) {
    Decision decision = answered(rpc, FailurePolicy.ERROR, 200, "{\"work_id\": \"w-7\"}");

    assertThat(decision.approved()).isFalse();
    assertThat(decision.workId()).isEqualTo("w-7");
    assertThat(decision.reason()).contains("\"approved\": true");
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void the_integrators_reason_for_a_rejection_is_passed_back(ApprovalRpc rpc) {
    Decision decision =
        answered(
            rpc,
            FailurePolicy.ERROR,
            201,
            "{\"approved\": false, \"reason\": \"quota of 10 clusters reached\"}");

    assertThat(decision.approved()).isFalse();
    assertThat(decision.reason()).isEqualTo("quota of 10 clusters reached");
    assertThat(UUID.fromString(decision.workId())).isNotNull();
  }

  static Stream<Arguments> everyApprovalRpcWithEveryFailure() {
    return Arrays.stream(ApprovalRpc.values())
        .flatMap(rpc -> Arrays.stream(IntegratorFailure.values()).map(f -> Arguments.of(rpc, f)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyApprovalRpcWithEveryFailure")
  void under_policy_error_a_failure_is_unavailable_saying_which(
      ApprovalRpc rpc, IntegratorFailure failure) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> afterFailure(rpc, failure, FailurePolicy.ERROR));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).startsWith(rpc.hook).contains(failure.cause);
  }

  static Stream<Arguments> rejectAndApproveWithEveryApprovalRpcAndFailure() {
    return Stream.of(FailurePolicy.REJECT, FailurePolicy.APPROVE)
        .flatMap(
            policy ->
                everyApprovalRpcWithEveryFailure()
                    .map(a -> Arguments.of(policy, a.get()[0], a.get()[1])));
  }

  /**
   * A failure never yields the integrator's work_id: the one a caller gets is generated. The reason
   * is the relay's own words, as under policy error: the integrator's address and answer stay in
   * the relay's log.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("rejectAndApproveWithEveryApprovalRpcAndFailure")
  void under_policy_reject_or_approve_a_failure_decides_so_with_a_generated_work_id_and_the_cause(
      FailurePolicy policy, ApprovalRpc rpc, IntegratorFailure failure) {
    HttpUrl hookUrl = failure.arrange(fixture.integrator());
    Decision decision = rpc.call(relay(policy, hookUrl, PRE_HOOK_TIMEOUT).stub());

    assertThat(decision.approved()).isEqualTo(policy == FailurePolicy.APPROVE);
    assertThat(decision.reason())
        .contains(failure.cause)
        .doesNotContain(hookUrl.host() + ":" + hookUrl.port())
        .doesNotContain("w-from-failure")
        .doesNotContain("approved: true");
    assertThat(decision.workId()).isNotEqualTo("w-from-failure");
    assertThat(UUID.fromString(decision.workId())).isNotNull();
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void under_policy_approve_the_integrators_rejection_still_rejects(ApprovalRpc rpc) {
    Decision decision =
        answered(rpc, FailurePolicy.APPROVE, 200, "{\"approved\": false, \"reason\": \"no\"}");

    assertThat(decision.approved()).isFalse();
    assertThat(decision.reason()).isEqualTo("no");
  }

  /** A work_id the post-hook would refuse makes an answer unusable, but not a rejection. */
  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void under_policy_approve_a_rejection_with_an_unusable_work_id_still_rejects(ApprovalRpc rpc) {
    Decision decision =
        answered(
            rpc,
            FailurePolicy.APPROVE,
            200,
            "{\"approved\": false, \"reason\": \"over quota\", \"work_id\": 42}");

    assertThat(decision.approved()).isFalse();
    assertThat(decision.reason()).isEqualTo("over quota");
    assertThat(UUID.fromString(decision.workId())).isNotNull();
  }

  /**
   * The integrator answers after 2s, the pre-hook timeout is 5s, the caller gives 300ms. The caller
   * must get its answer at its deadline, as an error, and never the late approval.
   */
  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void the_pre_hook_timeout_is_shortened_to_the_callers_deadline(ApprovalRpc rpc) {
    fixture
        .integrator()
        .enqueue(
            new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true}")
                .headersDelay(2, TimeUnit.SECONDS)
                .build());
    InProcessRelay relay = relay(FailurePolicy.ERROR, fixture.url(), Duration.ofSeconds(5));

    assertThatThrownBy(() -> rpc.call(relay.stub().withDeadlineAfter(300, TimeUnit.MILLISECONDS)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getCode())
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
  }
}
