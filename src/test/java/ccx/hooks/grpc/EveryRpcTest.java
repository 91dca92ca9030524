package ccx.hooks.grpc;

import static ccx.hooks.grpc.HookRequests.json;
import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.PostAddNodeResponse;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PostCreateClusterResponse;
import ccx.hooks.v1.PostDeleteClusterResponse;
import ccx.hooks.v1.PostRemoveNodeResponse;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreAddNodeResponse;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.v1.PreCreateClusterResponse;
import ccx.hooks.v1.PreDeleteClusterResponse;
import ccx.hooks.v1.PreRemoveNodeResponse;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import com.google.gson.JsonElement;
import com.google.protobuf.Message;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

  @Test
  void pre_create_cluster_posts_the_request_and_answers_with_the_integrators_approval()
      throws InterruptedException {
    answer(
        200,
        """
        {"approved": true, "work_id": "w-1", "user_id": "u-1", "project_id": "p-1",
         "organisation_id": "o-1", "unknown_field": {"ignored": true}}
        """);

    PreCreateClusterResponse response =
        fixture.stub().preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);

    assertThat(response)
        .isEqualTo(
            PreCreateClusterResponse.newBuilder()
                .setApproved(true)
                .setWorkId("w-1")
                .setUserId("u-1")
                .setProjectId("p-1")
                .setOrganisationId("o-1")
                .build());
    RecordedRequest request = received("/pre-create-cluster");
    assertThat(body(request)).isEqualTo(json(HookRequests.PRE_CREATE_CLUSTER_BODY));
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @Test
  void pre_add_node_posts_the_request_and_answers_with_the_integrators_approval()
      throws InterruptedException {
    answer(200, "{\"approved\": true, \"work_id\": \"w-2\"}");

    PreAddNodeResponse response = fixture.stub().preAddNode(HookRequests.PRE_ADD_NODE);

    assertThat(response)
        .isEqualTo(PreAddNodeResponse.newBuilder().setApproved(true).setWorkId("w-2").build());
    RecordedRequest request = received("/pre-add-node");
    assertThat(body(request)).isEqualTo(json(HookRequests.PRE_ADD_NODE_BODY));
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @Test
  void pre_remove_node_posts_the_request_and_answers_with_the_integrators_work_id()
      throws InterruptedException {
    answer(200, "{\"work_id\": \"w-3\"}");

    PreRemoveNodeResponse response = fixture.stub().preRemoveNode(HookRequests.PRE_REMOVE_NODE);

    assertThat(response).isEqualTo(PreRemoveNodeResponse.newBuilder().setWorkId("w-3").build());
    RecordedRequest request = received("/pre-remove-node");
    assertThat(body(request)).isEqualTo(json(HookRequests.PRE_REMOVE_NODE_BODY));
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @Test
  void pre_delete_cluster_posts_the_request_and_answers_with_the_integrators_work_id()
      throws InterruptedException {
    answer(200, "{\"work_id\": \"w-4\"}");

    PreDeleteClusterResponse response =
        fixture.stub().preDeleteCluster(HookRequests.PRE_DELETE_CLUSTER);

    assertThat(response).isEqualTo(PreDeleteClusterResponse.newBuilder().setWorkId("w-4").build());
    RecordedRequest request = received("/pre-delete-cluster");
    assertThat(body(request)).isEqualTo(json(HookRequests.PRE_DELETE_CLUSTER_BODY));
    assertThat(OutboxTable.rows(database)).isEmpty();
  }

  @Test
  void post_create_cluster_is_answered_empty_and_delivered_as_the_request()
      throws InterruptedException {
    assertPostHookDelivered(
        s -> s.postCreateCluster(HookRequests.POST_CREATE_CLUSTER),
        PostCreateClusterResponse.getDefaultInstance(),
        "/post-create-cluster",
        HookRequests.POST_CREATE_CLUSTER_BODY);
  }

  @Test
  void post_add_node_is_answered_empty_and_delivered_as_the_request() throws InterruptedException {
    assertPostHookDelivered(
        s -> s.postAddNode(HookRequests.POST_ADD_NODE),
        PostAddNodeResponse.getDefaultInstance(),
        "/post-add-node",
        HookRequests.POST_ADD_NODE_BODY);
  }

  @Test
  void post_remove_node_is_answered_empty_and_delivered_as_the_request()
      throws InterruptedException {
    assertPostHookDelivered(
        s -> s.postRemoveNode(HookRequests.POST_REMOVE_NODE),
        PostRemoveNodeResponse.getDefaultInstance(),
        "/post-remove-node",
        HookRequests.POST_REMOVE_NODE_BODY);
  }

  @Test
  void post_delete_cluster_is_answered_empty_and_delivered_as_the_request()
      throws InterruptedException {
    assertPostHookDelivered(
        s -> s.postDeleteCluster(HookRequests.POST_DELETE_CLUSTER),
        PostDeleteClusterResponse.getDefaultInstance(),
        "/post-delete-cluster",
        HookRequests.POST_DELETE_CLUSTER_BODY);
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
        s -> s.postCreateCluster(PostCreateClusterRequest.newBuilder().setClusterId("c-2").build()),
        PostCreateClusterResponse.getDefaultInstance(),
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

  private void assertPostHookDelivered(
      Function<HookServiceBlockingStub, Message> call,
      Message expectedResponse,
      String path,
      String expectedBody)
      throws InterruptedException {
    assertThat(call.apply(fixture.stub())).isEqualTo(expectedResponse);
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
