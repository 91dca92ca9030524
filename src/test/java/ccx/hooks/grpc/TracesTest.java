package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.config.CallerAuth;
import ccx.hooks.db.Database;
import ccx.hooks.delivery.OutboxDrainer;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.TestConfigs;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.PreCreateClusterResponse;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookSigner;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Traces from CCX to the integrator (DESIGN section 7), over a real gRPC port, a real HTTP
 * integrator and PostgreSQL, with spans kept by the SDK's in-memory exporter. The integrator checks
 * the {@code traceparent} it receives against the trace id the caller sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracesTest {
  private static final String INTEGRATOR_TOKEN = "integrator-token-secret";
  private static final String AUTH_ID = HookRequests.PRE_CREATE_CLUSTER.getAuthId();

  /** One request as the integrator received it. */
  record Received(String path, String traceparent, String tracestate) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger deliveryFailuresLeft = new AtomicInteger();
  private final InMemorySpanExporter relaySpans = InMemorySpanExporter.create();
  private final InMemorySpanExporter otherReplicaSpans = InMemorySpanExporter.create();
  private Database database;
  private DatabaseClock clock;
  private OutboxRepository outbox;
  private MockWebServer integrator;
  private OpenTelemetrySdk relaySdk;
  private OpenTelemetrySdk otherReplicaSdk;
  private DoorServer relay;
  private ManagedChannel channel;
  private OutboxDrainer otherReplica;

  @BeforeAll
  void start() throws IOException {
    database = TestDatabase.create();
    clock = DatabaseClock.system();
    outbox = new OutboxRepository(database.dsl(), clock);
    integrator = new MockWebServer();
    integrator.setDispatcher(new Integrator());
    integrator.start();
    relaySdk = sdk(relaySpans);
    otherReplicaSdk = sdk(otherReplicaSpans);
    relay = relay(CallerAuth.loopbackOnly());
    channel = relay.channel(null);
    // Post-hooks are delivered by another replica, with spans of its own, as in production.
    otherReplica =
        new OutboxDrainer(
            outbox,
            client(HookTracing.of(otherReplicaSdk)),
            TestConfigs.deliveryWithRetry(Duration.ofSeconds(1), Duration.ofMinutes(1), 5),
            "replica-b",
            new SimpleMeterRegistry(),
            RandomGenerator.of("L64X128MixRandom"));
  }

  @AfterAll
  void stop() throws Exception {
    relay.close();
    otherReplica.close();
    integrator.close();
    relaySdk.close();
    otherReplicaSdk.close();
    database.close();
  }

  @BeforeEach
  void clear() {
    database.dsl().execute("TRUNCATE hook_outbox, hook_delivery_attempt");
    received.clear();
    relaySpans.reset();
    otherReplicaSpans.reset();
    deliveryFailuresLeft.set(0);
  }

  private static OpenTelemetrySdk sdk(InMemorySpanExporter exporter) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  /** The relay's gRPC layer, its hook calls and pre-hooks traced by the relay's SDK. */
  private DoorServer relay(CallerAuth callers) {
    HookTracing tracing = HookTracing.of(relaySdk);
    return DoorServer.traced(outbox, client(tracing), callers, tracing);
  }

  private HookHttpClient client(HookTracing tracing) {
    return HookHttpClient.create(
        new HookTarget(integrator.url("/"), Optional.of(INTEGRATOR_TOKEN), WebhookSigner.none()),
        EndpointBreakers.create(new SimpleMeterRegistry()),
        tracing);
  }

  /** Approves pre-hooks; fails deliveries while told to, then takes them. */
  private final class Integrator extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      received.add(
          new Received(
              path,
              request.getHeaders().get("traceparent"),
              request.getHeaders().get("tracestate")));
      if (path.equals("/pre-create-cluster")) {
        return new MockResponse.Builder()
            .code(200)
            .body("{\"approved\": true, \"work_id\": \"w-traced\"}")
            .build();
      }
      if (deliveryFailuresLeft.getAndDecrement() > 0) {
        return new MockResponse.Builder().code(503).body("busy").build();
      }
      return new MockResponse.Builder().code(200).body("{}").build();
    }
  }

  /** A caller's context: a fresh trace id and span id, sampled. */
  private record CallerTrace(String traceId, String spanId) {
    static CallerTrace random() {
      HexFormat hex = HexFormat.of();
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      ThreadLocalRandom.current().nextBytes(trace);
      ThreadLocalRandom.current().nextBytes(span);
      return new CallerTrace(hex.formatHex(trace), hex.formatHex(span));
    }

    String traceparent() {
      return "00-" + traceId + "-" + spanId + "-01";
    }
  }

  private HookServiceBlockingStub stub(String traceparent, String tracestate) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
    if (tracestate != null) {
      headers.put(Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER), tracestate);
    }
    return HookServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static String traceIdOf(String traceparent) {
    return traceparent.split("-")[1];
  }

  private static String spanIdOf(String traceparent) {
    return traceparent.split("-")[2];
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind) {
    List<SpanData> ofKind = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertThat(ofKind).hasSize(1);
    return ofKind.get(0);
  }

  /** No span names the user's session or a token, under any key. */
  private static void assertNothingSecret(List<SpanData> spans) {
    assertThat(spans).isNotEmpty();
    for (SpanData span : spans) {
      span.getAttributes()
          .forEach(
              (key, value) -> {
                assertThat(key.getKey()).doesNotContainIgnoringCase("auth");
                assertThat(key.getKey()).doesNotContainIgnoringCase("token");
                assertThat(String.valueOf(value))
                    .doesNotContain(AUTH_ID)
                    .doesNotContain(INTEGRATOR_TOKEN);
              });
      assertThat(span.getName()).doesNotContain(AUTH_ID);
      assertThat(String.valueOf(span.getStatus().getDescription()))
          .doesNotContain(AUTH_ID)
          .doesNotContain(INTEGRATOR_TOKEN);
    }
  }

  @Test
  void pre_hook_reaches_the_integrator_in_the_callers_trace() {
    CallerTrace caller = CallerTrace.random();

    PreCreateClusterResponse answer =
        stub(caller.traceparent(), "ccx=op-7").preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);

    assertThat(answer.getApproved()).isTrue();
    assertThat(received).hasSize(1);
    Received request = received.get(0);
    assertThat(traceIdOf(request.traceparent())).isEqualTo(caller.traceId());
    assertThat(request.tracestate()).isEqualTo("ccx=op-7");

    List<SpanData> spans = relaySpans.getFinishedSpanItems();
    SpanData rpc = only(spans, SpanKind.SERVER);
    SpanData call = only(spans, SpanKind.CLIENT);
    assertThat(rpc.getName()).isEqualTo("ccx.hooks.v1.HookService/PreCreateCluster");
    assertThat(rpc.getTraceId()).isEqualTo(caller.traceId());
    assertThat(rpc.getParentSpanId()).isEqualTo(caller.spanId());
    assertThat(rpc.getAttributes().get(HookTracing.HOOK)).isEqualTo("pre-create-cluster");
    assertThat(rpc.getAttributes().get(HookTracing.CLUSTER_ID)).isEqualTo(HookRequests.CLUSTER);
    assertThat(rpc.getAttributes().get(HookTracing.WORK_ID)).isEqualTo("w-traced");
    assertThat(rpc.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();
    // The integrator's request is the client span's: a child of the RPC's, in the caller's trace.
    assertThat(call.getParentSpanId()).isEqualTo(rpc.getSpanId());
    assertThat(spanIdOf(request.traceparent())).isEqualTo(call.getSpanId());
    assertThat(call.getAttributes().get(HookTracing.HOOK)).isEqualTo("pre-create-cluster");
    assertThat(call.getAttributes().get(HookTracing.HTTP_STATUS)).isEqualTo(200L);
    assertNothingSecret(spans);
  }

  @Test
  void post_hook_delivered_later_by_another_replica_continues_the_callers_trace() {
    CallerTrace caller = CallerTrace.random();
    deliveryFailuresLeft.set(1);

    stub(caller.traceparent(), null).postCreateCluster(HookRequests.POST_CREATE_CLUSTER);

    SpanData intake = only(relaySpans.getFinishedSpanItems(), SpanKind.SERVER);
    assertThat(intake.getTraceId()).isEqualTo(caller.traceId());
    assertThat(intake.getParentSpanId()).isEqualTo(caller.spanId());
    assertThat(intake.getAttributes().get(HookTracing.WORK_ID)).isEqualTo("w-create");
    String stored =
        database.dsl().fetchSingle("SELECT traceparent FROM hook_outbox").get(0, String.class);
    assertThat(traceIdOf(stored)).isEqualTo(caller.traceId());
    assertThat(spanIdOf(stored)).isEqualTo(intake.getSpanId());
    assertThat(received).isEmpty();

    // First attempt: the integrator is busy. Second, after the backoff: delivered.
    assertThat(otherReplica.drainOnce()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2));
    assertThat(otherReplica.drainOnce()).isEqualTo(1);

    assertThat(received).hasSize(2);
    assertThat(received)
        .allSatisfy(r -> assertThat(traceIdOf(r.traceparent())).isEqualTo(caller.traceId()));
    List<SpanData> spans = otherReplicaSpans.getFinishedSpanItems();
    List<SpanData> deliveries =
        spans.stream().filter(s -> s.getKind() == SpanKind.INTERNAL).toList();
    assertThat(deliveries).hasSize(2);
    long outboxId =
        database.dsl().fetchSingle("SELECT id FROM hook_outbox").get(0, Long.class).longValue();
    for (int i = 0; i < 2; i++) {
      SpanData delivery = deliveries.get(i);
      assertThat(delivery.getName()).isEqualTo("deliver post-create-cluster");
      assertThat(delivery.getTraceId()).isEqualTo(caller.traceId());
      assertThat(delivery.getParentSpanId()).isEqualTo(intake.getSpanId());
      assertThat(delivery.getLinks())
          .extracting(LinkData::getSpanContext)
          .anySatisfy(
              link -> {
                assertThat(link.getTraceId()).isEqualTo(caller.traceId());
                assertThat(link.getSpanId()).isEqualTo(intake.getSpanId());
              });
      assertThat(delivery.getAttributes().get(HookTracing.HOOK)).isEqualTo("post-create-cluster");
      assertThat(delivery.getAttributes().get(HookTracing.CLUSTER_ID))
          .isEqualTo(HookRequests.CLUSTER);
      assertThat(delivery.getAttributes().get(HookTracing.WORK_ID)).isEqualTo("w-create");
      assertThat(delivery.getAttributes().get(HookTracing.OUTBOX_ID)).isEqualTo(outboxId);
      assertThat(delivery.getAttributes().get(HookTracing.ATTEMPT)).isEqualTo(i + 1L);
      // Each attempt's request carries its own client span, child of the attempt's span.
      SpanData call =
          spans.stream()
              .filter(s -> s.getKind() == SpanKind.CLIENT)
              .filter(s -> s.getParentSpanId().equals(delivery.getSpanId()))
              .findFirst()
              .orElseThrow();
      assertThat(spanIdOf(received.get(i).traceparent())).isEqualTo(call.getSpanId());
    }
    assertThat(deliveries.get(0).getAttributes().get(HookTracing.HTTP_STATUS)).isEqualTo(503L);
    assertThat(deliveries.get(1).getAttributes().get(HookTracing.HTTP_STATUS)).isEqualTo(200L);
    assertNothingSecret(spans);
    // The traceparent moved with the row into the delivered partition.
    assertThat(
            database
                .dsl()
                .fetchSingle("SELECT traceparent FROM hook_outbox_delivered")
                .get(0, String.class))
        .isEqualTo(stored);
  }

  @Test
  void a_notice_hook_queued_while_the_integrator_is_down_keeps_the_callers_trace() {
    CallerTrace caller = CallerTrace.random();
    deliveryFailuresLeft.set(1);

    stub(caller.traceparent(), null).preDeleteCluster(HookRequests.PRE_DELETE_CLUSTER);

    assertThat(received).hasSize(1);
    String stored =
        database.dsl().fetchSingle("SELECT traceparent FROM hook_outbox").get(0, String.class);
    assertThat(traceIdOf(stored)).isEqualTo(caller.traceId());
    assertThat(otherReplica.drainOnce()).isEqualTo(1);
    assertThat(received).hasSize(2);
    assertThat(traceIdOf(received.get(1).traceparent())).isEqualTo(caller.traceId());
  }

  @Test
  void a_caller_refused_at_the_door_opens_no_span_and_an_admitted_one_does() throws Exception {
    String token = "caller-token-0123456789abcdef";
    try (DoorServer door = relay(new CallerAuth(List.of(token), List.of(), false))) {
      ManagedChannel doorChannel = door.channel(null);
      CallerTrace stranger = CallerTrace.random();
      Metadata strangerHeaders = new Metadata();
      strangerHeaders.put(
          Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), stranger.traceparent());
      StatusRuntimeException refused =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  HookServiceGrpc.newBlockingStub(doorChannel)
                      .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(strangerHeaders))
                      .postCreateCluster(HookRequests.POST_CREATE_CLUSTER));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(relaySpans.getFinishedSpanItems()).isEmpty();

      CallerTrace caller = CallerTrace.random();
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), caller.traceparent());
      headers.put(TokenAuthenticator.AUTHORIZATION, "Bearer " + token);
      HookServiceGrpc.newBlockingStub(doorChannel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .postCreateCluster(HookRequests.POST_CREATE_CLUSTER);
      SpanData admitted = only(relaySpans.getFinishedSpanItems(), SpanKind.SERVER);
      assertThat(admitted.getTraceId()).isEqualTo(caller.traceId());
      assertNothingSecret(relaySpans.getFinishedSpanItems());
      relaySpans
          .getFinishedSpanItems()
          .forEach(
              span ->
                  span.getAttributes()
                      .forEach(
                          (key, value) -> assertThat(String.valueOf(value)).doesNotContain(token)));
    }
  }

  @Test
  void a_malformed_traceparent_starts_a_trace_of_the_relays_own_and_the_hook_still_flows() {
    stub("00-not-a-trace-01", null).postCreateCluster(HookRequests.POST_CREATE_CLUSTER);

    SpanData intake = only(relaySpans.getFinishedSpanItems(), SpanKind.SERVER);
    assertThat(intake.getParentSpanContext().isValid()).isFalse();
    assertThat(otherReplica.drainOnce()).isEqualTo(1);
    assertThat(received).hasSize(1);
    assertThat(traceIdOf(received.get(0).traceparent())).isEqualTo(intake.getTraceId());
  }
}
