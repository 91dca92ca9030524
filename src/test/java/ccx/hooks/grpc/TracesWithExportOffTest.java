package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.db.Database;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay as it runs with no {@code OTEL_*} variable: nothing is recorded or exported, and hooks
 * flow as before; the caller's {@code traceparent} still reaches the integrator, unchanged, so the
 * integrator's spans join CCX's trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracesWithExportOffTest {
  private static final String CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private Database database;
  private MockWebServer integrator;
  private HookTracing tracing;
  private DoorServer relay;
  private ManagedChannel channel;
  private OutboxDrainer drainer;

  @BeforeAll
  void start() throws IOException {
    database = TestDatabase.create();
    OutboxRepository outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
    integrator = new MockWebServer();
    integrator.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String traceparent = request.getHeaders().get("traceparent");
            traceparents.add(traceparent == null ? "(none)" : traceparent);
            return new MockResponse.Builder()
                .code(200)
                .body("{\"approved\": true, \"work_id\": \"w-1\"}")
                .build();
          }
        });
    integrator.start();
    tracing = HookTracing.fromEnvironment(Map.of());
    HookHttpClient http =
        HookHttpClient.create(
            new HookTarget(integrator.url("/"), Optional.empty(), WebhookSigner.none()),
            EndpointBreakers.create(new SimpleMeterRegistry()),
            tracing);
    relay = DoorServer.traced(outbox, http, CallerAuth.loopbackOnly(), tracing);
    channel = relay.channel(null);
    drainer =
        new OutboxDrainer(
            outbox,
            http,
            DeliverySettings.defaults(),
            "relay-a",
            new SimpleMeterRegistry(),
            RandomGenerator.of("L64X128MixRandom"));
  }

  @AfterAll
  void stop() throws Exception {
    drainer.close();
    relay.close();
    integrator.close();
    tracing.close();
    database.close();
  }

  @BeforeEach
  void clear() {
    database.dsl().execute("TRUNCATE hook_outbox, hook_delivery_attempt");
    traceparents.clear();
  }

  private HookServiceBlockingStub stub(Optional<String> traceparent) {
    HookServiceBlockingStub stub =
        HookServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (traceparent.isEmpty()) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent.get());
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void nothing_is_exported_and_the_callers_traceparent_reaches_the_integrator_unchanged() {
    assertThat(tracing.exports()).isFalse();

    stub(Optional.of(CALLER)).preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);
    stub(Optional.of(CALLER)).postCreateCluster(HookRequests.POST_CREATE_CLUSTER);
    assertThat(drainer.drainOnce()).isEqualTo(1);

    assertThat(traceparents).containsExactly(CALLER, CALLER);
    assertThat(database.dsl().fetchSingle("SELECT traceparent FROM hook_outbox").get(0))
        .isEqualTo(CALLER);
  }

  @Test
  void a_call_without_traceparent_flows_as_before_and_sends_none() {
    stub(Optional.empty()).preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);
    stub(Optional.empty()).postCreateCluster(HookRequests.POST_CREATE_CLUSTER);
    assertThat(drainer.drainOnce()).isEqualTo(1);

    assertThat(traceparents).containsExactly("(none)", "(none)");
    assertThat(database.dsl().fetchSingle("SELECT traceparent FROM hook_outbox").get(0)).isNull();
  }
}
