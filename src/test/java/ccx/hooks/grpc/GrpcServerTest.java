package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.PostAddNodeResponse;
import ccx.hooks.v1.PostCreateClusterResponse;
import ccx.hooks.v1.PostDeleteClusterResponse;
import ccx.hooks.v1.PostRemoveNodeResponse;
import ccx.hooks.v1.PreAddNodeResponse;
import ccx.hooks.v1.PreCreateClusterResponse;
import ccx.hooks.v1.PreDeleteClusterResponse;
import ccx.hooks.v1.PreRemoveNodeResponse;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real server, as {@code serve} starts it: Netty on a TCP port, the hook service, health and
 * reflection. The client knows only what proto/ generates, as an independent CCX client would.
 */
class GrpcServerTest {
  private static final String SERVICE = "ccx.hooks.v1.HookService";

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private static MockWebServer integrator;
  private static DoorServer door;
  private static GrpcServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void startServer() throws IOException {
    integrator = new MockWebServer();
    integrator.setDispatcher(new IntegratorThatApproves());
    integrator.start();
    door = serverOnAFreePort();
    server = door.grpc();
    channel = door.channel(null);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    door.close();
    integrator.close();
  }

  /** A server on the class's database and integrator, on a free loopback port. */
  private static DoorServer serverOnAFreePort() {
    return DoorServer.plaintext(
        database.database(), integrator.url("/"), CallerAuth.loopbackOnly(), GrpcLimits.defaults());
  }

  /** Approves every approval hook and names a work_id for every pre-hook, by path. */
  private static final class IntegratorThatApproves extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String body =
          switch (request.getUrl().encodedPath()) {
            case "/pre-create-cluster" ->
                """
                {"approved": true, "work_id": "w-create", "user_id": "u-1", "project_id": "p-1",
                 "organisation_id": "o-1"}""";
            case "/pre-add-node" -> "{\"approved\": true, \"work_id\": \"w-add\"}";
            case "/pre-remove-node" -> "{\"work_id\": \"w-remove\"}";
            case "/pre-delete-cluster" -> "{\"work_id\": \"w-delete\"}";
            default -> null;
          };
      return body == null
          ? new MockResponse.Builder().code(404).build()
          : new MockResponse.Builder().code(200).body(body).build();
    }
  }

  @Test
  void every_rpc_is_answered_over_a_real_tcp_channel() throws InterruptedException {
    HookServiceBlockingStub stub =
        HookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    assertThat(stub.preCreateCluster(HookRequests.PRE_CREATE_CLUSTER))
        .isEqualTo(
            PreCreateClusterResponse.newBuilder()
                .setApproved(true)
                .setWorkId("w-create")
                .setUserId("u-1")
                .setProjectId("p-1")
                .setOrganisationId("o-1")
                .build());
    assertThat(stub.postCreateCluster(HookRequests.POST_CREATE_CLUSTER))
        .isEqualTo(PostCreateClusterResponse.getDefaultInstance());
    assertThat(stub.preAddNode(HookRequests.PRE_ADD_NODE))
        .isEqualTo(PreAddNodeResponse.newBuilder().setApproved(true).setWorkId("w-add").build());
    assertThat(stub.postAddNode(HookRequests.POST_ADD_NODE))
        .isEqualTo(PostAddNodeResponse.getDefaultInstance());
    assertThat(stub.preRemoveNode(HookRequests.PRE_REMOVE_NODE))
        .isEqualTo(PreRemoveNodeResponse.newBuilder().setWorkId("w-remove").build());
    assertThat(stub.postRemoveNode(HookRequests.POST_REMOVE_NODE))
        .isEqualTo(PostRemoveNodeResponse.getDefaultInstance());
    assertThat(stub.preDeleteCluster(HookRequests.PRE_DELETE_CLUSTER))
        .isEqualTo(PreDeleteClusterResponse.newBuilder().setWorkId("w-delete").build());
    assertThat(stub.postDeleteCluster(HookRequests.POST_DELETE_CLUSTER))
        .isEqualTo(PostDeleteClusterResponse.getDefaultInstance());

    List<String> paths = new ArrayList<>();
    for (RecordedRequest r; (r = integrator.takeRequest(1, TimeUnit.SECONDS)) != null; ) {
      paths.add(r.getUrl().encodedPath());
    }
    assertThat(paths)
        .containsExactly(
            "/pre-create-cluster", "/pre-add-node", "/pre-remove-node", "/pre-delete-cluster");
    assertThat(OutboxTable.rows(database))
        .extracting(OutboxTable.Row::hook, OutboxTable.Row::workId)
        .containsExactly(
            tuple("post-create-cluster", "w-create"),
            tuple("post-add-node", "w-add"),
            tuple("post-remove-node", "w-remove"),
            tuple("post-delete-cluster", "w-delete"));
  }

  @Test
  void the_health_service_reports_serving_for_the_server_and_for_the_hook_service() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health.check(HealthCheckRequest.newBuilder().setService(SERVICE).build()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void the_health_service_reports_not_serving_while_the_relay_is_not_ready() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    server.setServing(false);
    try {
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(
              health.check(HealthCheckRequest.newBuilder().setService(SERVICE).build()).getStatus())
          .isEqualTo(ServingStatus.NOT_SERVING);
    } finally {
      server.setServing(true);
    }
  }

  @Test
  void server_reflection_lists_the_hook_service_and_describes_its_eight_methods() throws Exception {
    List<ServerReflectionResponse> answers =
        reflect(
            ServerReflectionRequest.newBuilder().setListServices("").build(),
            ServerReflectionRequest.newBuilder().setFileContainingSymbol(SERVICE).build());

    assertThat(answers.get(0).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains(SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");

    List<FileDescriptorProto> files = new ArrayList<>();
    for (ByteString file :
        answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoList()) {
      files.add(parse(file));
    }
    ServiceDescriptorProto hookService =
        files.stream()
            .filter(f -> f.getPackage().equals("ccx.hooks.v1"))
            .flatMap(f -> f.getServiceList().stream())
            .filter(s -> s.getName().equals("HookService"))
            .findFirst()
            .orElseThrow();
    assertThat(hookService.getMethodList())
        .extracting(MethodDescriptorProto::getName, MethodDescriptorProto::getInputType)
        .containsExactly(
            tuple("PreCreateCluster", ".ccx.hooks.v1.PreCreateClusterRequest"),
            tuple("PostCreateCluster", ".ccx.hooks.v1.PostCreateClusterRequest"),
            tuple("PreAddNode", ".ccx.hooks.v1.PreAddNodeRequest"),
            tuple("PostAddNode", ".ccx.hooks.v1.PostAddNodeRequest"),
            tuple("PreRemoveNode", ".ccx.hooks.v1.PreRemoveNodeRequest"),
            tuple("PostRemoveNode", ".ccx.hooks.v1.PostRemoveNodeRequest"),
            tuple("PreDeleteCluster", ".ccx.hooks.v1.PreDeleteClusterRequest"),
            tuple("PostDeleteCluster", ".ccx.hooks.v1.PostDeleteClusterRequest"));
  }

  @Test
  void a_stopped_server_takes_no_more_calls() throws InterruptedException {
    try (DoorServer stopped = serverOnAFreePort()) {
      ManagedChannel toStopped = stopped.channel(null);
      HealthGrpc.HealthBlockingStub health =
          HealthGrpc.newBlockingStub(toStopped).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);

      stopped.grpc().stop(Duration.ofSeconds(5));

      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  HookServiceGrpc.newBlockingStub(toStopped)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .postDeleteCluster(HookRequests.POST_DELETE_CLUSTER));
      assertThat(e).as("the RPC's error").isNotNull();
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(OutboxTable.rows(database)).isEmpty();
    }
  }

  private static FileDescriptorProto parse(ByteString file) throws InvalidProtocolBufferException {
    return FileDescriptorProto.parseFrom(file);
  }

  /** Sends the requests on one reflection stream and returns the answers, in order. */
  private static List<ServerReflectionResponse> reflect(ServerReflectionRequest... requests)
      throws InterruptedException, ExecutionException, TimeoutException {
    return ReflectionStream.send(channel, requests).get(10, TimeUnit.SECONDS);
  }
}
