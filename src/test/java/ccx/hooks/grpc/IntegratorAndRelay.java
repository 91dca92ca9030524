package ccx.hooks.grpc;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.wire.HookHttpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake integrator (a MockWebServer, started before each test) and, once a test starts it, an
 * {@link InProcessRelay} in front of it; both are closed after the test. Register it on an instance
 * field, after the database:
 *
 * <pre>{@code
 * @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
 * @RegisterExtension final IntegratorAndRelay fixture = IntegratorAndRelay.on(database);
 * }</pre>
 *
 * <p>The relay starts when a test asks, or before each test with {@link #startedBeforeEach}: tests
 * choose their failure policy, timeout or hook URL, and some start none at all.
 */
final class IntegratorAndRelay implements BeforeEachCallback, AfterEachCallback {
  private final Supplier<OutboxRepository> outbox;
  private MockWebServer integrator;
  private final Deque<InProcessRelay> relays = new ArrayDeque<>();
  private PreHookSettings startEach;

  private IntegratorAndRelay(Supplier<OutboxRepository> outbox) {
    this.outbox = outbox;
  }

  /** A relay on the test's repository of {@code database}. */
  static IntegratorAndRelay on(OutboxDatabase database) {
    return new IntegratorAndRelay(database::outbox);
  }

  /** A relay on the repository {@code outbox} supplies when the relay starts. */
  static IntegratorAndRelay on(Supplier<OutboxRepository> outbox) {
    return new IntegratorAndRelay(outbox);
  }

  /** Starts a relay with {@code settings} before each test, after the integrator. */
  IntegratorAndRelay startedBeforeEach(PreHookSettings settings) {
    startEach = settings;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    integrator = new MockWebServer();
    integrator.start();
    if (startEach != null) {
      start(startEach);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stop();
    integrator.close();
  }

  MockWebServer integrator() {
    return integrator;
  }

  /** The integrator's URL, the one a relay started without a URL posts to. */
  HttpUrl url() {
    return integrator.url("/");
  }

  /** The integrator's next answer. */
  void answer(int code, String body) {
    integrator.enqueue(new MockResponse.Builder().code(code).body(body).build());
  }

  InProcessRelay start(PreHookSettings settings) {
    return start(url(), settings);
  }

  InProcessRelay start(FailurePolicy policy, Duration preHookTimeout) {
    return start(url(), new PreHookSettings(preHookTimeout, policy));
  }

  InProcessRelay start(HttpUrl hookUrl, FailurePolicy policy, Duration preHookTimeout) {
    return start(hookUrl, new PreHookSettings(preHookTimeout, policy));
  }

  InProcessRelay start(HttpUrl hookUrl, PreHookSettings settings) {
    return started(InProcessRelay.start(outbox.get(), hookUrl, settings));
  }

  /** A relay whose pre-hooks go through {@code http}: its breakers shared with a drainer. */
  InProcessRelay start(HookHttpClient http, PreHookSettings settings) {
    return started(InProcessRelay.start(outbox.get(), http, settings));
  }

  private InProcessRelay started(InProcessRelay relay) {
    relays.push(relay);
    return relay;
  }

  /** A stub on the relay the test started last. */
  HookServiceBlockingStub stub() {
    if (relays.isEmpty()) {
      throw new IllegalStateException("no relay started in this test");
    }
    return relays.peek().stub();
  }

  /** Closes the relays before the test's own resources they run on (a database); safe to repeat. */
  void stop() {
    while (!relays.isEmpty()) {
      relays.pop().close();
    }
  }
}
