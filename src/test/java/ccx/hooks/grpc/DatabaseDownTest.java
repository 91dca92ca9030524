package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.grpc.ApprovalRpc.Decision;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * While PostgreSQL cannot be reached (DESIGN section 5), every call that must store a row answers
 * UNAVAILABLE and never OK; pre-hooks the integrator answers do not need the database. Each refused
 * call takes the pool's connection timeout (3s).
 */
class DatabaseDownTest {
  private static Database unreachable;

  @RegisterExtension
  final IntegratorAndRelay fixture =
      IntegratorAndRelay.on(() -> new OutboxRepository(unreachable.dsl(), DatabaseClock.system()))
          .startedBeforeEach(new PreHookSettings(Duration.ofSeconds(2), FailurePolicy.ERROR));

  @BeforeAll
  static void openUnreachableDatabase() {
    unreachable =
        Database.open(
            new DatabaseUrl(
                "jdbc:postgresql://127.0.0.1:1/none", Optional.empty(), Optional.empty()),
            2);
  }

  @AfterAll
  static void closeDatabase() {
    unreachable.close();
  }

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void while_the_database_is_unreachable_a_post_hook_answers_unavailable(PostRpc rpc) {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> rpc.call(fixture.stub(), "w-1"));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("outbox database");
  }

  @ParameterizedTest
  @EnumSource(NoticeRpc.class)
  void while_the_database_is_unreachable_a_notice_hook_the_integrator_failed_answers_unavailable(
      NoticeRpc rpc) {
    fixture.integrator().enqueue(new MockResponse.Builder().code(500).build());

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> rpc.call(fixture.stub()));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .startsWith(rpc.hook)
        .contains("HTTP 500")
        .contains("could not be queued");
  }

  @ParameterizedTest
  @EnumSource(NoticeRpc.class)
  void a_notice_hook_the_integrator_accepts_does_not_need_the_database(NoticeRpc rpc) {
    fixture
        .integrator()
        .enqueue(new MockResponse.Builder().code(200).body("{\"work_id\": \"w-9\"}").build());

    assertThat(rpc.call(fixture.stub())).isEqualTo("w-9");
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void an_approval_hook_does_not_need_the_database(ApprovalRpc rpc) {
    fixture
        .integrator()
        .enqueue(
            new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true, \"work_id\": \"w-9\"}")
                .build());

    assertThat(rpc.call(fixture.stub())).isEqualTo(new Decision(true, "w-9", ""));
  }
}
