package ccx.hooks.grpc;

import static ccx.hooks.grpc.HookRequests.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.core.Hook;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import com.google.gson.JsonElement;
import com.google.protobuf.Message;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each of the eight RPCs end to end: what the integrator receives (DESIGN section 3) and what the
 * caller is answered (section 2). Post-hooks reach the integrator through the outbox, so their
 * tests deliver the stored row once and look at that request.
 */
class EveryRpcTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @RegisterExtension
  final IntegratorAndRelay fixture =
      IntegratorAndRelay.on(database).startedBeforeEach(PreHookSettings.defaults());

  /** Each pre-hook with the integrator's answer; the caller's response is that answer. */
  static Stream<Arguments> preHookAnswers() {
    return Stream.of(
        arguments(
            Hook.PRE_CREATE_CLUSTER,
            """
            {"approved": true, "work_id": "w-1", "user_id": "u-1", "project_id": "p-1",
             "organisation_id": "o-1", "unknown_field": {"ignored": true}}
            """),
        arguments(Hook.PRE_ADD_NODE, "{\"approved\": true, \"work_id\": \"w-2\"}"),
        arguments(Hook.PRE_REMOVE_NODE, "{\"work_id\": \"w-3\"}"),
        arguments(Hook.PRE_DELETE_CLUSTER, "{\"work_id\": \"w-4\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("preHookAnswers")
  void a_pre_hook_posts_the_request_and_answers_with_the_integrators_answer(
      Hook hook, String answer) throws InterruptedException {
    answer(200, answer);

    Message response = AnyRpc.call(fixture.stub(), HookRequests.request(hook));

    assertThat(response).isEqualTo(AnyRpc.parseIgnoringUnknownFields(response, answer));
    RecordedRequest request = received("/" + hook.path());
    assertThat(body(request)).isEqualTo(json(HookRequests.body(hook)));
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Hook.class, names = "POST_.*", mode = EnumSource.Mode.MATCH_ALL)
  void a_post_hook_is_answered_empty_and_delivered_as_the_request(Hook hook)
      throws InterruptedException {
    assertPostHookDelivered(HookRequests.request(hook), "/" + hook.path(), HookRequests.body(hook));
  }

  @Test
  void a_pre_hook_with_only_cluster_id_is_sent_with_every_field_present()
      throws InterruptedException {
    answer(200, "{\"approved\": true}");
    answer(200, "{\"approved\": true}");

    fixture
        .stub()
        .preCreateCluster(PreCreateClusterRequest.newBuilder().setClusterId("c-2").build());
    fixture.stub().preAddNode(PreAddNodeRequest.newBuilder().setClusterId("c-2").build());

    assertThat(body(received("/pre-create-cluster")))
        .isEqualTo(
            json(
                """
                {"cluster_id": "c-2", "cluster_name": "", "datastore_type": "", "cloud": "",
                 "node_count": 0, "instance_type": "", "auth_id": ""}
                """));
    assertThat(body(received("/pre-add-node")))
        .isEqualTo(
            json(
                """
                {"cluster_id": "c-2", "cloud": "", "node_count": 0, "instance_type": "",
                 "auth_id": ""}
                """));
  }

  @Test
  void a_post_hook_with_only_cluster_id_is_delivered_with_every_field_present()
      throws InterruptedException {
    assertPostHookDelivered(
        PostCreateClusterRequest.newBuilder().setClusterId("c-2").build(),
        "/post-create-cluster",
        """
        {"cluster_id": "c-2", "cluster_name": "", "datastore_type": "", "cloud": "",
         "node_count": 0, "instance_type": "", "cluster_status": "", "node_ids": [],
         "work_id": ""}
        """);
  }

  @Test
  void a_path_in_the_hook_url_is_kept() throws InterruptedException {
    fixture.stop();
    fixture.start(fixture.integrator().url("/hooks/v1"), PreHookSettings.defaults());
    answer(200, "{\"approved\": true}");

    fixture.stub().preAddNode(HookRequests.PRE_ADD_NODE);

    received("/hooks/v1/pre-add-node");
  }

  private void assertPostHookDelivered(Message sent, String path, String expectedBody)
      throws InterruptedException {
    Message response = AnyRpc.call(fixture.stub(), sent);
    assertThat(response).as("an empty response").isEqualTo(response.getDefaultInstanceForType());
    assertThat(fixture.integrator().getRequestCount()).as("sent during the call").isZero();

    answer(200, "");
    deliverOnce();

    RecordedRequest request = received(path);
    assertThat(body(request)).isEqualTo(json(expectedBody));
    assertThat(request.getHeaders().get("webhook-id"))
        .isEqualTo(OutboxTable.rows(database).getFirst().webhookId());
  }

  private void deliverOnce() {
    HookHttpClient http =
        HookHttpClient.create(
            new HookTarget(fixture.url(), Optional.empty(), WebhookSigner.none()));
    try (OutboxDrainer drainer =
        new OutboxDrainer(
            database.outbox(),
            http,
            DeliverySettings.defaults(),
            "every-rpc-test",
            new SimpleMeterRegistry(),
            RandomGenerator.getDefault())) {
      assertThat(drainer.drainOnce()).isEqualTo(1);
    }
  }

  private void answer(int code, String body) {
    fixture.answer(code, body);
  }

  /** The next request the integrator received, checked against the headers of DESIGN 3. */
  private RecordedRequest received(String path) throws InterruptedException {
    RecordedRequest request = fixture.integrator().takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("a request to " + path).isNotNull();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo(path);
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("User-Agent")).startsWith("ccx-hook-service/");
    assertThat(request.getHeaders().get("webhook-id")).startsWith("msg_");
    assertThat(request.getHeaders().get("webhook-timestamp")).matches("[0-9]+");
    assertThat(request.getHeaders().get("webhook-signature")).isNull();
    assertThat(request.getHeaders().get("Authorization")).isNull();
    return request;
  }

  private static JsonElement body(RecordedRequest request) {
    return json(Objects.requireNonNull(request.getBody()).utf8());
  }
}
