package ccx.hooks.delivery;

import ccx.hooks.breaker.BreakerPolicy;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A real HTTP integrator for delivery tests: records every hook it receives, in arrival order, and
 * answers as the test says, given the request and how often that webhook-id came before.
 */
final class RecordingIntegrator implements AutoCloseable {
  /** One hook as received. */
  record Received(String path, String webhookId, String body) {}

  private final MockWebServer server = new MockWebServer();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  private volatile BiFunction<Received, Integer, MockResponse> answer = (r, n) -> ok();

  RecordingIntegrator() throws IOException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            Received hook =
                new Received(
                    request.getUrl().encodedPath(),
                    request.getHeaders().get("webhook-id"),
                    request.getBody().utf8());
            int previous =
                seen.computeIfAbsent(hook.webhookId(), id -> new AtomicInteger()).getAndIncrement();
            received.add(hook);
            return answer.apply(hook, previous);
          }
        });
    server.start();
  }

  static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{}").build();
  }

  static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("{\"error\":\"test\"}").build();
  }

  /** How to answer: given the hook and how many times its webhook-id was received before. */
  void answer(BiFunction<Received, Integer, MockResponse> answer) {
    this.answer = answer;
  }

  /** Answers 500 to the hooks whose webhook-id {@code failing} accepts, and 200 to the rest. */
  void failWith500(Predicate<String> failing) {
    answer((hook, before) -> failing.test(hook.webhookId()) ? status(500) : ok());
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /**
   * A client whose breakers never open (their outage rate is never reached and it takes 1,000
   * failures in a row over an hour to count as every call failing), so tests see every attempt.
   */
  HookHttpClient client() {
    BreakerPolicy never =
        new BreakerPolicy(1000, 1000, 100, 1000, Duration.ofHours(1), Duration.ofSeconds(1), 4);
    return clientWith(new EndpointBreakers(never, never, new SimpleMeterRegistry()));
  }

  /** A client with the relay's own breakers, open for {@code openFor}. */
  HookHttpClient clientWithBreaker(Duration openFor) {
    BreakerPolicy policy = BreakerPolicy.deliveries().withOpenFor(openFor);
    return clientWith(new EndpointBreakers(policy, policy, new SimpleMeterRegistry()));
  }

  HookHttpClient clientWith(EndpointBreakers breakers) {
    return new HookHttpClient(
        target(), HookHttpClient.defaultHttpClient(), breakers, Clock.systemUTC());
  }

  private HookTarget target() {
    return new HookTarget(server.url("/hooks"), Optional.empty(), WebhookSigner.none());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
