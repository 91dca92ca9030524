package ccx.hooks.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ccx.hooks.breaker.BreakerPolicy;
import ccx.hooks.breaker.BreakerState;
import ccx.hooks.breaker.CallKind;
import ccx.hooks.breaker.EndpointBreaker;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.core.Hook;
import ccx.hooks.core.Version;
import ccx.hooks.wire.HookCallException.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HookHttpClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String BODY = "{\"cluster_id\":\"c1\",\"node_count\":1}";
  // The Standard Webhooks test vector: this secret signs this id, time and body to SIGNATURE.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final Instant VECTOR_TIME = Instant.ofEpochSecond(1614265330);
  private static final String VECTOR_BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private MockWebServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private static HookTarget target(HttpUrl url) {
    return new HookTarget(url, Optional.empty(), WebhookSigner.none());
  }

  private static HookHttpClient client(HookTarget target) {
    return HookHttpClient.create(target);
  }

  private static HookHttpClient client(HookTarget target, Clock clock) {
    return new HookHttpClient(
        target,
        HookHttpClient.defaultHttpClient(),
        EndpointBreakers.create(new SimpleMeterRegistry()),
        clock);
  }

  private static MockResponse answer(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached the server").isNotNull();
    return request;
  }

  @Test
  void the_hook_is_posted_below_the_base_path_of_the_hook_url() throws Exception {
    server.enqueue(answer(200, "{}"));

    HookResponse response =
        client(target(server.url("/hooks")))
            .send(CallKind.DELIVERY, Hook.PRE_ADD_NODE, "msg_1", BODY, TIMEOUT);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
    RecordedRequest request = takeRequest();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/hooks/pre-add-node");
    assertThat(request.getBody().utf8()).isEqualTo(BODY);
  }

  @Test
  void a_trailing_slash_or_no_path_in_the_hook_url_gives_one_slash_before_the_hook()
      throws Exception {
    server.enqueue(answer(200, "{}"));
    server.enqueue(answer(200, "{}"));

    client(target(server.url("/hooks/")))
        .send(CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER, "msg_1", BODY, TIMEOUT);
    client(target(server.url("/")))
        .send(CallKind.DELIVERY, Hook.PRE_CREATE_CLUSTER, "msg_2", BODY, TIMEOUT);

    assertThat(takeRequest().getTarget()).isEqualTo("/hooks/post-delete-cluster");
    assertThat(takeRequest().getTarget()).isEqualTo("/pre-create-cluster");
  }

  @Test
  void every_request_carries_the_content_type_user_agent_and_webhook_headers() throws Exception {
    server.enqueue(answer(200, "{}"));
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

    client(target(server.url("/")), clock)
        .send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_abc", BODY, TIMEOUT);

    RecordedRequest request = takeRequest();
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("User-Agent"))
        .isEqualTo("ccx-hook-service/" + Version.get())
        .matches("ccx-hook-service/\\d+\\.\\d+.*");
    assertThat(request.getHeaders().get("webhook-id")).isEqualTo("msg_abc");
    assertThat(request.getHeaders().get("webhook-timestamp")).isEqualTo("1700000000");
    assertThat(request.getHeaders().get("webhook-signature")).isNull();
    assertThat(request.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void the_timestamp_is_the_current_time_in_unix_seconds() throws Exception {
    server.enqueue(answer(200, "{}"));
    long before = Instant.now().getEpochSecond();

    client(target(server.url("/")))
        .send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_1", BODY, TIMEOUT);

    long sent = Long.parseLong(takeRequest().getHeaders().get("webhook-timestamp"));
    assertThat(sent).isBetween(before, Instant.now().getEpochSecond());
  }

  @Test
  void with_secrets_the_request_is_signed_as_standard_webhooks_verifiers_expect() throws Exception {
    server.enqueue(answer(200, "{}"));
    HookTarget target =
        new HookTarget(
            server.url("/"),
            Optional.empty(),
            WebhookSigner.fromSecrets(SECRET + " whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24="));

    client(target, Clock.fixed(VECTOR_TIME, ZoneOffset.UTC))
        .send(CallKind.DELIVERY, Hook.PRE_ADD_NODE, VECTOR_ID, VECTOR_BODY, TIMEOUT);

    RecordedRequest request = takeRequest();
    assertThat(request.getHeaders().get("webhook-timestamp")).isEqualTo("1614265330");
    assertThat(request.getHeaders().get("webhook-signature"))
        .isEqualTo(SIGNATURE + " v1,VCzcewc1d50xafQYDe7NW2t5tRvLDX2BH/kD+5kmcEc=");
  }

  @Test
  void a_configured_token_is_sent_as_a_bearer_token() throws Exception {
    server.enqueue(answer(200, "{}"));
    server.enqueue(answer(200, "{}"));
    HookTarget withToken =
        new HookTarget(server.url("/"), Optional.of("t0ken"), WebhookSigner.none());
    HookTarget blankToken = new HookTarget(server.url("/"), Optional.of(" "), WebhookSigner.none());

    client(withToken).send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_1", BODY, TIMEOUT);
    client(blankToken).send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_2", BODY, TIMEOUT);

    assertThat(takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer t0ken");
    assertThat(takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void a_redirect_is_returned_as_an_answer_and_never_followed() throws Exception {
    try (MockWebServer elsewhere = new MockWebServer()) {
      elsewhere.start();
      elsewhere.enqueue(answer(200, "{\"approved\":true}"));
      server.enqueue(
          new MockResponse.Builder()
              .code(302)
              .addHeader("Location", elsewhere.url("/steal").toString())
              .build());

      HookResponse response =
          client(target(server.url("/")))
              .send(CallKind.DELIVERY, Hook.PRE_ADD_NODE, "msg_1", BODY, TIMEOUT);

      assertThat(response.status()).isEqualTo(302);
      assertThat(response.isSuccess()).isFalse();
      assertThat(server.getRequestCount()).isEqualTo(1);
      assertThat(elsewhere.getRequestCount()).isZero();
    }
  }

  @Test
  void an_answer_of_exactly_one_mebibyte_is_read() {
    String body = "x".repeat(HookHttpClient.MAX_RESPONSE_BYTES);
    server.enqueue(answer(200, body));

    HookResponse response =
        client(target(server.url("/")))
            .send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_1", BODY, TIMEOUT);

    assertThat(response.body()).hasSize(HookHttpClient.MAX_RESPONSE_BYTES);
  }

  @Test
  void an_answer_larger_than_one_mebibyte_is_an_error() {
    server.enqueue(answer(200, "x".repeat(HookHttpClient.MAX_RESPONSE_BYTES + 1)));
    HookHttpClient client = client(target(server.url("/")));

    assertFailsWith(Reason.TOO_LARGE, () -> send(client))
        .hasMessageContaining("larger than 1048576 bytes");
  }

  @Test
  void an_answer_whose_headers_come_too_late_is_a_timeout() {
    assertThat(
            assertTimesOut(
                new MockResponse.Builder()
                    .code(200)
                    .body("{}")
                    .headersDelay(30, TimeUnit.SECONDS)
                    .build()))
        .hasMessageContaining("300ms");
  }

  @Test
  void the_timeout_covers_the_whole_answer_including_a_slow_body() {
    assertTimesOut(
        new MockResponse.Builder().code(200).body("{}").bodyDelay(30, TimeUnit.SECONDS).build());
  }

  /**
   * Sends one pre-hook with a 300 ms timeout to a server that answers {@code slowly} (30 s late);
   * the timeout error, once it is one and came in far less than the server's delay.
   */
  private HookCallException assertTimesOut(MockResponse slowly) {
    server.enqueue(slowly);
    HookHttpClient client = client(target(server.url("/")));

    long start = System.nanoTime();
    HookCallException e =
        catchThrowableOfType(
            HookCallException.class,
            () ->
                client.send(
                    CallKind.DELIVERY, Hook.PRE_ADD_NODE, "msg_1", BODY, Duration.ofMillis(300)));
    assertThat(e).as("the send's error").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
    // Bounded by the timeout, not by the server's 30s delay.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    return e;
  }

  @Test
  void a_refused_connection_is_a_connection_failure() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    HookHttpClient client = client(target(HttpUrl.get("http://127.0.0.1:" + closedPort + "/")));

    assertFailsWith(Reason.CONNECTION, () -> send(client))
        .hasMessageContaining("connection failed");
  }

  @Test
  void retry_after_in_seconds_is_read_from_429_and_503_answers_only() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").build());
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", " 120 ").build());
    server.enqueue(new MockResponse.Builder().code(500).addHeader("Retry-After", "7").build());
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Retry-After", "7").build());
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "soon").build());
    server.enqueue(new MockResponse.Builder().code(503).build());
    HookHttpClient client = client(target(server.url("/")));

    assertThat(send(client).retryAfter()).hasValue(Duration.ofSeconds(7));
    assertThat(send(client).retryAfter()).hasValue(Duration.ofSeconds(120));
    assertThat(send(client).retryAfter()).isEmpty();
    assertThat(send(client).retryAfter()).isEmpty();
    assertThat(send(client).retryAfter()).isEmpty();
    assertThat(send(client).retryAfter()).isEmpty();
  }

  @Test
  void retry_after_as_an_http_date_is_read_relative_to_now() {
    server.enqueue(
        new MockResponse.Builder()
            .code(503)
            .addHeader("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
            .build());
    Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);

    HookResponse response = send(client(target(server.url("/")), clock));

    assertThat(response.retryAfter()).hasValue(Duration.ofMinutes(1));
  }

  private static HookHttpClient client(HookTarget target, BreakerPolicy policy) {
    return new HookHttpClient(
        target,
        HookHttpClient.defaultHttpClient(),
        new EndpointBreakers(policy, policy, new SimpleMeterRegistry()),
        Clock.systemUTC());
  }

  private static BreakerState state(HookHttpClient client, CallKind kind, Hook hook) {
    return client.breakers().of(kind, hook).state();
  }

  @Test
  void outages_of_one_endpoint_open_its_breaker_and_the_other_endpoints_are_still_called() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return request.getUrl().encodedPath().endsWith("/post-delete-cluster")
                ? answer(503, "down")
                : answer(200, "{}");
          }
        });
    HookTarget target = target(server.url("/"));
    HookHttpClient client =
        client(target, BreakerPolicy.deliveries().withOpenFor(Duration.ofMinutes(10)));

    int outages = BreakerPolicy.deliveries().outageMinimumCalls();
    for (int i = 0; i < outages; i++) {
      assertThat(send(client, CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER).status()).isEqualTo(503);
    }

    assertThat(state(client, CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER))
        .isEqualTo(BreakerState.OPEN);
    assertFailsWith(
            Reason.CIRCUIT_OPEN, () -> send(client, CallKind.DELIVERY, Hook.POST_DELETE_CLUSTER))
        .hasMessageContaining("post-delete-cluster");
    assertThat(send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE).status()).isEqualTo(200);
    assertThat(send(client, CallKind.PREHOOK, Hook.PRE_DELETE_CLUSTER).status()).isEqualTo(200);
    assertThat(client.breakers().refusingDeliveries()).containsExactly(Hook.POST_DELETE_CLUSTER);
    assertThat(server.getRequestCount()).isEqualTo(outages + 2);
  }

  @Test
  void an_open_breaker_names_the_endpoint_without_the_credentials_of_the_hook_url()
      throws InterruptedException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return answer(503, "down");
          }
        });
    HttpUrl url =
        server
            .url("/hooks?key=query-secret")
            .newBuilder()
            .username("relay")
            .password("url-secret")
            .build();
    HookHttpClient client =
        client(target(url), BreakerPolicy.deliveries().withOpenFor(Duration.ofMinutes(10)));
    for (int i = 0; i < BreakerPolicy.deliveries().outageMinimumCalls(); i++) {
      send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE);
    }

    assertFailsWith(Reason.CIRCUIT_OPEN, () -> send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE))
        .hasMessageContaining(server.url("/hooks/post-add-node").toString())
        .hasMessageNotContaining("secret");
    // The request itself still goes to the URL as given.
    RecordedRequest first = takeRequest();
    assertThat(first.getUrl().encodedPath()).isEqualTo("/hooks/post-add-node");
    assertThat(first.getUrl().query()).isEqualTo("key=query-secret");
  }

  @Test
  void rows_failing_with_500_among_answered_rows_do_not_open_the_breaker() {
    HookHttpClient client = client(target(server.url("/")), BreakerPolicy.deliveries());
    for (int i = 0; i < 40; i++) {
      server.enqueue(answer(i % 3 == 2 ? 200 : 500, "{}"));
    }

    for (int i = 0; i < 40; i++) {
      send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE);
    }

    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
    assertThat(server.getRequestCount()).isEqualTo(40);
  }

  @Test
  void every_call_failing_for_a_while_opens_the_breaker() throws InterruptedException {
    BreakerPolicy policy =
        // The streak must span 1 s: the five calls below take milliseconds, even on a loaded
        // machine (with 200 ms they once took longer, and the burst itself opened the breaker).
        new BreakerPolicy(20, 10, 50, 5, Duration.ofSeconds(1), Duration.ofMinutes(10), 4);
    HookHttpClient client = client(target(server.url("/")), policy);
    for (int i = 0; i < 10; i++) {
      server.enqueue(answer(500, "handler bug"));
    }

    // Five failures in a row within a moment: a burst, not yet a verdict.
    for (int i = 0; i < 5; i++) {
      send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE);
    }
    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
    Thread.sleep(1_050);
    send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE);

    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void after_the_open_window_several_probes_go_through_and_their_success_closes_the_breaker() {
    HookHttpClient client =
        client(
            target(server.url("/")),
            BreakerPolicy.deliveries().withOpenFor(Duration.ofMillis(300)));
    for (int i = 0; i < BreakerPolicy.deliveries().outageMinimumCalls(); i++) {
      server.enqueue(answer(503, "down"));
      send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE);
    }
    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.OPEN);
    assertThat(client.breakers().of(CallKind.DELIVERY, Hook.POST_ADD_NODE).admitsMore()).isFalse();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE) == BreakerState.HALF_OPEN);
    // Half-open, the drainer may hand it as many rows as there are probes.
    EndpointBreaker breaker = client.breakers().of(CallKind.DELIVERY, Hook.POST_ADD_NODE);
    assertThat(breaker.admitsMore()).isTrue();
    for (int i = 0; i < BreakerPolicy.deliveries().probes(); i++) {
      server.enqueue(answer(200, "{}"));
      assertThat(send(client, CallKind.DELIVERY, Hook.POST_ADD_NODE).status()).isEqualTo(200);
    }

    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void client_errors_do_not_open_the_breaker() {
    HookHttpClient client = client(target(server.url("/")));
    for (int i = 0; i < 30; i++) {
      server.enqueue(answer(i % 2 == 0 ? 400 : 429, "no"));
    }

    for (int i = 0; i < 30; i++) {
      send(client);
    }

    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
    assertThat(server.getRequestCount()).isEqualTo(30);
  }

  @Test
  void timeouts_cut_short_by_the_callers_deadline_never_count_against_the_endpoint() {
    answerEveryRequestLate(200, TimeUnit.MILLISECONDS);
    HookHttpClient client = client(target(server.url("/")), BreakerPolicy.preHooks());

    for (int i = 0; i < 30; i++) {
      assertFailsWith(
          Reason.TIMEOUT,
          () ->
              client.send(
                  CallKind.PREHOOK,
                  Hook.PRE_ADD_NODE,
                  WebhookIds.next(),
                  BODY,
                  Duration.ofMillis(30),
                  true));
    }

    assertThat(state(client, CallKind.PREHOOK, Hook.PRE_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
    assertThat(client.send(CallKind.PREHOOK, Hook.PRE_ADD_NODE, "msg_ok", BODY, TIMEOUT).status())
        .isEqualTo(200);
  }

  @Test
  void an_interrupted_call_is_reported_as_interrupted_and_not_held_against_the_endpoint()
      throws Exception {
    answerEveryRequestLate(30, TimeUnit.SECONDS);
    BreakerPolicy policy =
        new BreakerPolicy(20, 2, 50, 20, Duration.ofSeconds(3), Duration.ofMinutes(10), 4);
    HookHttpClient client = client(target(server.url("/")), policy);
    java.util.List<HookCallException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    for (int i = 0; i < 5; i++) {
      Thread call =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      client.send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_1", BODY, TIMEOUT);
                    } catch (HookCallException e) {
                      failures.add(e);
                    }
                  });
      await().until(() -> server.getRequestCount() > failures.size());
      call.interrupt();
      call.join(Duration.ofSeconds(5));
    }

    assertThat(failures)
        .hasSize(5)
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo(Reason.INTERRUPTED));
    assertThat(state(client, CallKind.DELIVERY, Hook.POST_ADD_NODE)).isEqualTo(BreakerState.CLOSED);
  }

  private static HookResponse send(HookHttpClient client, CallKind kind, Hook hook) {
    return client.send(kind, hook, WebhookIds.next(), BODY, TIMEOUT);
  }

  /** Makes the server answer every request 200, its headers {@code delay} late. */
  private void answerEveryRequestLate(long delay, TimeUnit unit) {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse.Builder()
                .code(200)
                .body("{}")
                .headersDelay(delay, unit)
                .build();
          }
        });
  }

  /** Asserts that {@code call} fails for {@code reason}; then its message may be checked. */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertFailsWith(
      Reason reason, ThrowingCallable call) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HookCallException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static HookResponse send(HookHttpClient client) {
    return client.send(CallKind.DELIVERY, Hook.POST_ADD_NODE, WebhookIds.next(), BODY, TIMEOUT);
  }
}
