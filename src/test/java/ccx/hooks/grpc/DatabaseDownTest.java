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
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * While PostgreSQL cannot be reached (DESIGN section 5), every call that must store a row answers
 * UNAVAILABLE and never OK; pre-hooks the integrator answers do not need the database. Each refused
 * call takes the pool's connection timeout (3s). Each UNAVAILABLE is logged once, naming the call
 * it refused, and never the batch it was refused with.
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

  private final ListAppender<ILoggingEvent> log =
      new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
          // The MDC is read when the line is written, not later on the test's thread.
          event.prepareForDeferredProcessing();
          super.append(event);
        }
      };

  @BeforeEach
  void watchTheLog() {
    log.start();
    root().addAppender(log);
  }

  @AfterEach
  void stopWatching() {
    root().detachAppender(log);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /**
   * Asserts that one warning or error was logged about {@code hook}, with {@code fields} (and the
   * hook) as fields, saying {@code line}.
   */
  private void assertWarnedOnce(String hook, Map<String, String> fields, String line) {
    assertThat(warningsAbout(hook))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getMDCPropertyMap())
                  .containsEntry("hook", hook)
                  .containsAllEntriesOf(fields);
              assertThat(event.getFormattedMessage()).startsWith(line);
            });
  }

  /** The warnings and errors about {@code hook}: carrying it as a field, or naming it. */
  private List<ILoggingEvent> warningsAbout(String hook) {
    return log.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .filter(
            e ->
                hook.equals(e.getMDCPropertyMap().get("hook"))
                    || e.getFormattedMessage().contains(hook))
        .toList();
  }

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void while_the_database_is_unreachable_a_post_hook_answers_unavailable_and_is_logged_once(
      PostRpc rpc) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> rpc.call(fixture.stub(), "c-refused", "w-refused"));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "the outbox database is unavailable; nothing was stored, retry later"
                + " (the relay's log says why)");
    assertWarnedOnce(
        rpc.hook,
        Map.of("cluster_id", "c-refused", "work_id", "w-refused"),
        rpc.hook
            + " for cluster 'c-refused', work_id 'w-refused': not stored, the outbox database"
            + " is unavailable: Connection refused; answered UNAVAILABLE");
  }

  @ParameterizedTest
  @EnumSource(ApprovalRpc.class)
  void an_approval_hook_without_a_usable_answer_is_logged_once_with_its_hook_and_cluster(
      ApprovalRpc rpc) {
    fixture.answer(503, "{}");

    assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> rpc.call(fixture.stub())))
        .extracting(e -> e.getStatus().getDescription())
        .isEqualTo(rpc.hook + " hook failed: integrator answered HTTP 503");
    assertWarnedOnce(
        rpc.hook,
        Map.of("cluster_id", HookRequests.CLUSTER),
        rpc.hook + " for cluster 'c-1': integrator answered HTTP 503; answered UNAVAILABLE");
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
        .isEqualTo(
            rpc.hook
                + " hook failed (integrator answered HTTP 500) and could not be queued: the outbox"
                + " database is unavailable; nothing was stored, retry later (the relay's log says"
                + " why)");
    assertWarnedOnce(
        rpc.hook,
        Map.of("cluster_id", HookRequests.CLUSTER),
        rpc.hook
            + " for cluster 'c-1': integrator answered HTTP 500, and it could not be queued:"
            + " Connection refused; answered UNAVAILABLE");
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
