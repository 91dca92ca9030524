package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.HookServiceGrpc.HookServiceStub;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreAddNodeResponse;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limits on a real port: the largest request, the per-field caps, and the bounds on calls and
 * on pre-hooks in flight, each refused at once with nothing stored while the calls within bounds go
 * through.
 */
class CallLimitsTest {
  static final String TOKEN = "limits-token-5f3e9a1c2b7d";
  static final int MAX_CALLS = 3;
  static final int MAX_PRE_HOOKS = 2;

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private static MockWebServer integrator;
  private static volatile CountDownLatch integratorAnswers = new CountDownLatch(0);
  private static DoorServer door;

  @BeforeAll
  static void start() throws Exception {
    integrator = new MockWebServer();
    integrator.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            integratorAnswers.await(30, TimeUnit.SECONDS);
            return new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true, \"work_id\": \"w-approved\"}")
                .build();
          }
        });
    integrator.start();
    door =
        DoorServer.plaintext(
            database.database(),
            integrator.url("/"),
            CallerAuth.of(TOKEN, null, false),
            new GrpcLimits(GrpcLimits.DEFAULT_MAX_REQUEST_BYTES, MAX_CALLS, MAX_PRE_HOOKS));
  }

  @AfterAll
  static void stop() {
    integratorAnswers.countDown();
    door.close();
    integrator.close();
  }

  @AfterEach
  void answer() {
    integratorAnswers.countDown();
  }

  private static HookServiceBlockingStub stub() {
    return door.stub(TOKEN);
  }

  private static Status.Code codeOf(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    return e == null ? Status.Code.OK : e.getStatus().getCode();
  }

  private static StatusRuntimeException refusal(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the RPC's error").isNotNull();
    return e;
  }

  /** The refusal of {@code request} with one field set to {@code value}. */
  private StatusRuntimeException refusedWith(Message request, String field, Object value) {
    return refusal(() -> AnyRpc.call(stub(), AnyRpc.with(request, field, value)));
  }

  @Test
  void a_request_of_2_mib_is_refused_and_nothing_is_stored() {
    String twoKib = "n".repeat(2048);
    PostCreateClusterRequest huge =
        HookRequests.POST_CREATE_CLUSTER.toBuilder()
            .clearNodeIds()
            .addAllNodeIds(IntStream.range(0, 1024).mapToObj(i -> twoKib).toList())
            .build();
    assertThat(huge.getSerializedSize()).isGreaterThan(2 * 1024 * 1024);

    StatusRuntimeException e = refusal(() -> stub().postCreateCluster(huge));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(OutboxTable.rows(database)).isEmpty();
    // The relay goes on serving.
    PostRpc.POST_ADD_NODE.call(stub(), "w-after");
    assertThat(OutboxTable.rows(database)).extracting(OutboxTable.Row::workId).contains("w-after");
  }

  @Test
  void a_request_with_1001_node_ids_is_invalid_naming_the_field_and_nothing_is_stored() {
    PostCreateClusterRequest tooMany =
        HookRequests.POST_CREATE_CLUSTER.toBuilder()
            .clearNodeIds()
            .addAllNodeIds(IntStream.range(0, 1001).mapToObj(i -> "n-" + i).toList())
            .build();

    StatusRuntimeException e = refusal(() -> stub().postCreateCluster(tooMany));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("node_ids has 1001 entries; at most 1000 are accepted");
    assertThat(OutboxTable.rows(database)).isEmpty();

    PostCreateClusterRequest thousand =
        tooMany.toBuilder()
            .clearNodeIds()
            .addAllNodeIds(tooMany.getNodeIdsList().subList(0, 1000))
            .build();
    stub().postCreateCluster(thousand.toBuilder().setWorkId("w-1000").build());
    assertThat(OutboxTable.rows(database))
        .extracting(OutboxTable.Row::workId)
        .containsExactly("w-1000");
  }

  @Test
  void a_name_or_id_over_255_characters_is_invalid_naming_the_field() {
    int before = integrator.getRequestCount();
    String long256 = "x".repeat(256);
    StatusRuntimeException name =
        refusedWith(HookRequests.POST_CREATE_CLUSTER, "cluster_name", long256);
    StatusRuntimeException nodeId =
        refusedWith(HookRequests.POST_CREATE_CLUSTER, "node_ids", List.of("n-1", long256));
    StatusRuntimeException instanceType =
        refusedWith(HookRequests.PRE_ADD_NODE, "instance_type", long256);

    assertThat(name.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(name.getStatus().getDescription())
        .isEqualTo("cluster_name is 256 characters long; at most 255 are accepted");
    assertThat(nodeId.getStatus().getDescription())
        .startsWith("node_ids[")
        .contains("256 characters");
    assertThat(instanceType.getStatus().getDescription()).startsWith("instance_type is 256");
    assertThat(OutboxTable.rows(database)).isEmpty();
    assertThat(integrator.getRequestCount()).isEqualTo(before);
  }

  @Test
  void a_burst_beyond_the_call_bound_is_refused_at_once_and_the_calls_within_it_are_stored()
      throws Exception {
    int burst = 10;
    List<Future<Status.Code>> calls = new ArrayList<>();
    // A lock on the table holds every admitted post-hook in its INSERT, so the admitted calls stay
    // in flight while the rest of the burst arrives.
    try (Connection lock = database.url().connect(Map.of())) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE hook_outbox IN EXCLUSIVE MODE");
      }
      try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < burst; i++) {
          String workId = "w-burst-" + i;
          calls.add(callers.submit(() -> codeOf(() -> PostRpc.POST_ADD_NODE.call(stub(), workId))));
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> calls.stream().filter(Future::isDone).count() == burst - MAX_CALLS);
        assertThat(calls.stream().filter(Future::isDone).map(CallLimitsTest::get))
            .containsOnly(Status.Code.RESOURCE_EXHAUSTED);
        lock.rollback();
      }
    }
    assertThat(calls.stream().map(CallLimitsTest::get))
        .filteredOn(c -> c == Status.Code.OK)
        .hasSize(MAX_CALLS);
    assertThat(OutboxTable.rows(database)).hasSize(MAX_CALLS);
    assertThat(door.refused("RESOURCE_EXHAUSTED")).isGreaterThanOrEqualTo(burst - MAX_CALLS);
    // The slots are given back: the next call goes through.
    PostRpc.POST_ADD_NODE.call(stub(), "w-after-burst");
    assertThat(OutboxTable.rows(database)).hasSize(MAX_CALLS + 1);
  }

  @Test
  void pre_hooks_beyond_their_bound_are_refused_while_post_hooks_still_flow() throws Exception {
    integratorAnswers = new CountDownLatch(1);
    int before = integrator.getRequestCount();
    int burst = 5;
    List<Future<Status.Code>> preHooks = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < burst; i++) {
        PreAddNodeRequest request =
            HookRequests.PRE_ADD_NODE.toBuilder().setClusterId("c-" + i).build();
        preHooks.add(callers.submit(() -> codeOf(() -> stub().preAddNode(request))));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> preHooks.stream().filter(Future::isDone).count() == burst - MAX_PRE_HOOKS);
      StatusRuntimeException e = refusal(() -> stub().preAddNode(HookRequests.PRE_ADD_NODE));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).contains("--max-pre-hooks-in-flight");

      // Two pre-hooks hang on the integrator; a post-hook has a slot of its own.
      PostRpc.POST_ADD_NODE.call(stub(), "w-while-pre-hooks-hang");
      assertThat(OutboxTable.rows(database)).hasSize(1);

      integratorAnswers.countDown();
    }
    assertThat(preHooks.stream().map(CallLimitsTest::get))
        .containsOnly(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED)
        .filteredOn(c -> c == Status.Code.OK)
        .hasSize(MAX_PRE_HOOKS);
    assertThat(integrator.getRequestCount()).isEqualTo(before + MAX_PRE_HOOKS);
  }

  @Test
  void a_hung_pre_hook_endpoint_holds_three_quarters_of_the_pre_hooks_and_the_others_go_on()
      throws Exception {
    // pre-create-cluster takes every call and answers none; pre-add-node answers at once.
    CountDownLatch hung = new CountDownLatch(1);
    try (MockWebServer split = new MockWebServer()) {
      split.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
              if (request.getUrl().encodedPath().endsWith("/pre-create-cluster")) {
                hung.await(30, TimeUnit.SECONDS);
              }
              return new MockResponse.Builder().code(200).body("{\"approved\": true}").build();
            }
          });
      split.start();
      try (DoorServer eight =
              DoorServer.plaintext(
                  database.database(),
                  split.url("/"),
                  CallerAuth.of(TOKEN, null, false),
                  new GrpcLimits(GrpcLimits.DEFAULT_MAX_REQUEST_BYTES, 64, 8));
          ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Status.Code>> creates = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          creates.add(
              callers.submit(
                  () ->
                      codeOf(
                          () ->
                              eight
                                  .stub(TOKEN)
                                  .preCreateCluster(HookRequests.PRE_CREATE_CLUSTER))));
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> creates.stream().filter(Future::isDone).count() == 4);
        StatusRuntimeException e =
            refusal(() -> eight.stub(TOKEN).preCreateCluster(HookRequests.PRE_CREATE_CLUSTER));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
            .contains("6 PreCreateCluster calls in flight", "--max-pre-hooks-in-flight");

        // The other approvals keep the quarter left.
        for (int i = 0; i < 5; i++) {
          assertThat(eight.stub(TOKEN).preAddNode(HookRequests.PRE_ADD_NODE).getApproved())
              .isTrue();
        }
        hung.countDown();
        assertThat(creates.stream().map(CallLimitsTest::get))
            .filteredOn(c -> c == Status.Code.OK)
            .hasSize(6);
      } finally {
        hung.countDown();
      }
    }
  }

  @Test
  void pre_hooks_whose_callers_cancel_keep_their_places_until_the_integrator_answers()
      throws Exception {
    integratorAnswers = new CountDownLatch(1);
    int before = integrator.getRequestCount();
    // One connection for every call: the server reads a cancellation before the call sent after it.
    ManagedChannel channel = door.channel(TOKEN);
    HookServiceStub async = HookServiceGrpc.newStub(channel);
    for (int i = 0; i < MAX_PRE_HOOKS; i++) {
      Context.CancellableContext call = Context.current().withCancellation();
      PreAddNodeRequest request =
          HookRequests.PRE_ADD_NODE.toBuilder().setClusterId("cancelled-" + i).build();
      call.run(() -> async.preAddNode(request, new StreamRecorder()));
      int sent = before + i + 1;
      await().atMost(Duration.ofSeconds(20)).until(() -> integrator.getRequestCount() == sent);
      // The caller gives up; the relay's request to the integrator is still open.
      call.cancel(null);
    }

    HookServiceBlockingStub sameConnection =
        HookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    StatusRuntimeException e = refusal(() -> sameConnection.preAddNode(HookRequests.PRE_ADD_NODE));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).contains("--max-pre-hooks-in-flight");
    assertThat(integrator.getRequestCount()).isEqualTo(before + MAX_PRE_HOOKS);

    // Once the integrator answers, every place comes back: the bound's worth of pre-hooks is let
    // in at once again (a place that leaked would refuse one of them on every try).
    integratorAnswers.countDown();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(preHooksAdmittedTogether(MAX_PRE_HOOKS)).isEqualTo(MAX_PRE_HOOKS));
  }

  /** Sends {@code n} pre-hooks that the integrator holds until all arrived or were refused. */
  private static long preHooksAdmittedTogether(int n) throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    integratorAnswers = hold;
    int before = integrator.getRequestCount();
    List<Future<Status.Code>> calls = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        calls.add(callers.submit(() -> codeOf(() -> stub().preAddNode(HookRequests.PRE_ADD_NODE))));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  integrator.getRequestCount()
                          - before
                          + calls.stream().filter(Future::isDone).count()
                      >= n);
      hold.countDown();
    }
    return calls.stream().map(CallLimitsTest::get).filter(c -> c == Status.Code.OK).count();
  }

  /** Takes an answer nobody waits for. */
  private static final class StreamRecorder implements StreamObserver<PreAddNodeResponse> {
    @Override
    public void onNext(PreAddNodeResponse value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  private static Status.Code get(Future<Status.Code> call) {
    try {
      return call.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
