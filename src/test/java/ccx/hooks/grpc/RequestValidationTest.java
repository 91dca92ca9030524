package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN section 2: a request without cluster_id, or with a negative node_count, is answered
 * INVALID_ARGUMENT naming the field, and nothing is sent to the integrator or stored. The relay
 * runs with policy approve, the most permissive, so a request that slipped through would be
 * answered OK rather than with some other error.
 */
class RequestValidationTest {
  private static final String TOO_LONG = "x".repeat(RequestValidator.MAX_ID_LENGTH + 1);

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @RegisterExtension
  final IntegratorAndRelay fixture =
      IntegratorAndRelay.on(database)
          .startedBeforeEach(new PreHookSettings(Duration.ofMillis(500), FailurePolicy.APPROVE));

  /** One call of one RPC, named for the test report. */
  record RpcCall(String name, Consumer<HookServiceBlockingStub> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The RPC of {@code request}, called with it, the field set to {@code value}. */
  static RpcCall call(Message request, String field, Object value) {
    String text = value.toString();
    String shown = text.length() > 20 ? text.length() + " characters" : text;
    Message changed = AnyRpc.with(request, field, value);
    return new RpcCall(
        AnyRpc.name(request) + " " + field + "='" + shown + "'", s -> AnyRpc.call(s, changed));
  }

  /** Every RPC with the sample request, its cluster_id empty, blank or too long. */
  static Stream<RpcCall> everyRpcWithABadClusterId() {
    return Stream.of("", " \t", TOO_LONG)
        .flatMap(id -> HookRequests.ALL.stream().map(request -> call(request, "cluster_id", id)));
  }

  /** The four RPCs with a node_count, given a negative one: -1, and the most negative. */
  static Stream<RpcCall> everyRpcWithNegativeNodeCount() {
    return HookRequests.ALL.stream()
        .filter(request -> request.getDescriptorForType().findFieldByName("node_count") != null)
        .flatMap(
            request ->
                Stream.of(-1, Integer.MIN_VALUE).map(count -> call(request, "node_count", count)));
  }

  private void assertRefused(RpcCall rpc, String field) {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> rpc.call().accept(fixture.stub()));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains(field);
    assertThat(fixture.integrator().getRequestCount())
        .as("requests sent to the integrator")
        .isZero();
    assertThat(OutboxTable.rows(database)).as("rows stored").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRpcWithABadClusterId")
  void an_empty_blank_or_overlong_cluster_id_is_invalid_argument_naming_cluster_id(RpcCall rpc) {
    assertRefused(rpc, "cluster_id");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRpcWithNegativeNodeCount")
  void a_negative_node_count_is_invalid_argument_naming_node_count(RpcCall rpc) {
    assertRefused(rpc, "node_count");
  }

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void an_overlong_work_id_is_invalid_argument_naming_work_id(PostRpc rpc) {
    assertRefused(new RpcCall(rpc.name(), s -> rpc.call(s, TOO_LONG)), "work_id");
  }

  @Test
  void ids_of_the_longest_accepted_length_and_a_node_count_of_zero_are_accepted() {
    String longest = "x".repeat(RequestValidator.MAX_ID_LENGTH);

    fixture
        .stub()
        .postAddNode(
            HookRequests.POST_ADD_NODE.toBuilder()
                .setClusterId(longest)
                .setWorkId(longest)
                .setNodeCount(0)
                .build());

    assertThat(OutboxTable.rows(database))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.clusterId()).isEqualTo(longest);
              assertThat(row.workId()).isEqualTo(longest);
              assertThat(row.payload().get("node_count").getAsInt()).isZero();
            });
  }
}
