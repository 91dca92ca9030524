package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * {@code --client-token} on a real port: a call without the token, or with a wrong one, is refused
 * before anything is relayed or stored, and the refusal is logged with the caller's address but
 * never a token; during a rotation the old and the new token both work; health stays open.
 */
class CallerAuthTest {
  static final String OLD_TOKEN = "old-token-4b1c9e2a7d3f";
  static final String NEW_TOKEN = "new-token-8e5d2c1b9a0f";

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private static MockWebServer integrator;
  private static DoorServer door;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    integrator = new MockWebServer();
    integrator.start();
    door =
        DoorServer.plaintext(
            database.database(),
            integrator.url("/"),
            CallerAuth.of(OLD_TOKEN + " " + NEW_TOKEN, null, false),
            GrpcLimits.defaults());
  }

  @AfterAll
  static void stop() {
    door.close();
    integrator.close();
  }

  @BeforeEach
  void watchTheLog() {
    log.start();
    ((Logger) LoggerFactory.getLogger(TokenAuthenticator.class)).addAppender(log);
  }

  @AfterEach
  void stopWatching() {
    ((Logger) LoggerFactory.getLogger(TokenAuthenticator.class)).detachAppender(log);
  }

  private List<String> logLines() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static StatusRuntimeException refusal(HookServiceBlockingStub stub) {
    return catchThrowableOfType(
        StatusRuntimeException.class, () -> PostRpc.POST_ADD_NODE.call(stub, "w-refused"));
  }

  @Test
  void a_call_without_a_token_is_unauthenticated_and_nothing_is_stored_or_sent() {
    StatusRuntimeException e = refusal(door.stub(null));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).contains("authorization: Bearer <token>");
    assertThat(OutboxTable.rows(database)).isEmpty();
    assertThat(integrator.getRequestCount()).isZero();
    assertThat(logLines())
        .singleElement()
        .asString()
        .contains("Refused a gRPC call to ccx.hooks.v1.HookService/PostAddNode from 127.0.0.1:")
        .contains("no authorization metadata");
    assertThat(door.refused("UNAUTHENTICATED")).isPositive();
  }

  @Test
  void a_call_with_a_wrong_token_is_unauthenticated_and_the_log_never_shows_the_token() {
    String wrong = "wrong-token-0123456789abcdef";
    StatusRuntimeException e = refusal(door.stub(wrong));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(OutboxTable.rows(database)).isEmpty();
    assertThat(logLines())
        .singleElement()
        .asString()
        .contains("from 127.0.0.1:")
        .contains("not one of --client-token")
        .doesNotContain(wrong)
        .doesNotContain(OLD_TOKEN)
        .doesNotContain(NEW_TOKEN);
    assertThat(e.getStatus().getDescription())
        .doesNotContain(wrong)
        .doesNotContain(OLD_TOKEN)
        .doesNotContain(NEW_TOKEN);
  }

  @Test
  void a_token_that_is_a_prefix_or_an_extension_of_a_real_one_is_refused() {
    for (String near :
        List.of(OLD_TOKEN.substring(0, OLD_TOKEN.length() - 1), OLD_TOKEN + "0", "x" + OLD_TOKEN)) {
      assertThat(refusal(door.stub(near)).getStatus().getCode())
          .as(near)
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @Test
  void a_token_sent_without_the_bearer_scheme_is_refused() throws Exception {
    ManagedChannel channel = door.channel(InsecureChannelCredentials.create(), OLD_TOKEN);
    StatusRuntimeException e =
        refusal(
            ccx.hooks.v1.HookServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).contains("not 'Bearer <token>'");
  }

  @Test
  void during_a_rotation_the_old_and_the_new_token_both_work() {
    PostRpc.POST_ADD_NODE.call(door.stub(OLD_TOKEN), "w-old");
    PostRpc.POST_ADD_NODE.call(door.stub(NEW_TOKEN), "w-new");

    assertThat(OutboxTable.rows(database))
        .extracting(OutboxTable.Row::workId)
        .containsExactly("w-old", "w-new");
    assertThat(logLines()).isEmpty();
  }

  @Test
  void the_scheme_is_read_without_regard_to_case_as_http_does() {
    ManagedChannel channel =
        door.channel(InsecureChannelCredentials.create(), "bearer " + NEW_TOKEN);
    PostRpc.POST_ADD_NODE.call(
        ccx.hooks.v1.HookServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS),
        "w-lower");
    assertThat(OutboxTable.rows(database)).extracting(OutboxTable.Row::workId).contains("w-lower");
  }

  @Test
  void health_answers_without_a_token_so_load_balancers_can_probe() {
    assertThat(
            HealthGrpc.newBlockingStub(door.channel(null))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflection_needs_the_token_like_the_hooks() throws Exception {
    assertThat(reflect(door.channel(null)).get(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(reflect(door.channel(NEW_TOKEN)).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ServerReflectionResponse.class);
  }

  /** One list-services request; completes with the answer, or with the error. */
  private static CompletableFuture<Object> reflect(ManagedChannel channel) {
    return ReflectionStream.send(
            channel, ServerReflectionRequest.newBuilder().setListServices("").build())
        .handle((answers, error) -> error == null ? answers.getFirst() : error);
  }
}
