package ccx.hooks.wire;

import ccx.hooks.breaker.CallKind;
import ccx.hooks.breaker.EndpointBreaker;
import ccx.hooks.breaker.EndpointBreakers;
import ccx.hooks.breaker.Outcome;
import ccx.hooks.core.Hook;
import ccx.hooks.core.Version;
import ccx.hooks.wire.HookCallException.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends one hook to the integrator: the wire format of DESIGN section 3, shared by pre-hooks and
 * outbox deliveries, each call behind the breaker of its kind and endpoint.
 */
public final class HookHttpClient {
  /** Larger answers are an error: an integrator has no reason to send more, an attacker might. */
  public static final int MAX_RESPONSE_BYTES = 1 << 20;

  private static final MediaType JSON = MediaType.get("application/json");

  private final HookTarget target;
  private final OkHttpClient http;
  private final EndpointBreakers breakers;
  private final Clock wallClock;
  private final HookTracing tracing;
  // Built once: HttpUrl's builder canonicalises the host (IDN included) on every build, 2 % of the
  // relay's CPU samples during pre-hooks (docs/BENCHMARKS.md, seventh session).
  private final Map<Hook, HttpUrl> urls = new EnumMap<>(Hook.class);

  public HookHttpClient(
      HookTarget target,
      OkHttpClient http,
      EndpointBreakers breakers,
      Clock clock,
      HookTracing tracing) {
    this.target = target;
    this.http = http;
    this.breakers = breakers;
    this.wallClock = clock;
    this.tracing = tracing;
    for (Hook hook : Hook.values()) {
      urls.put(hook, target.urlOf(hook));
    }
  }

  /** A client that neither records spans nor passes a trace context on. */
  public HookHttpClient(
      HookTarget target, OkHttpClient http, EndpointBreakers breakers, Clock clock) {
    this(target, http, breakers, clock, HookTracing.off());
  }

  /** A client with the defaults a relay runs with; each call a span of {@code tracing}. */
  public static HookHttpClient create(
      HookTarget target, EndpointBreakers breakers, HookTracing tracing) {
    OkHttpClient http = defaultHttpClient();
    if (target.caCertificates().isPresent()) {
      http = PemTrust.trustOnly(http.newBuilder(), target.caCertificates().get()).build();
    }
    return new HookHttpClient(target, http, breakers, Clock.systemUTC(), tracing);
  }

  /** A client with the defaults a relay runs with, without tracing. */
  public static HookHttpClient create(HookTarget target, EndpointBreakers breakers) {
    return create(target, breakers, HookTracing.off());
  }

  /** A client with breakers of the default policies that no metrics registry shows: for tools. */
  public static HookHttpClient create(HookTarget target) {
    return create(target, EndpointBreakers.create(new SimpleMeterRegistry()));
  }

  /**
   * Redirects are never followed: a hook carries a session id and a signature meant for this one
   * target. Each call's timeout is kept by {@link CallDeadlines}, so the client itself has none.
   */
  public static OkHttpClient defaultHttpClient() {
    return new OkHttpClient.Builder()
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(Duration.ZERO)
        .readTimeout(Duration.ZERO)
        .writeTimeout(Duration.ZERO)
        .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
        .build();
  }

  public EndpointBreakers breakers() {
    return breakers;
  }

  /** The spans of calls to the integrator; deliveries start theirs from it too. */
  public HookTracing tracing() {
    return tracing;
  }

  /** Closes idle connections and the client's threads. */
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /**
   * POSTs {@code body} to the hook's URL, through the breaker of that endpoint for {@code kind}. A
   * non-2xx status is an answer, not an exception; no answer at all is a {@link HookCallException}
   * whose reason says why.
   *
   * @param webhookId the {@code webhook-id}: stable across retries of one delivery
   * @param timeout the whole call, from connect to the last byte of the answer
   * @param callersTimeout true when {@code timeout} was cut so short by the caller's deadline that
   *     running out of it says nothing about the integrator: it is not held against the endpoint
   */
  public HookResponse send(
      CallKind kind,
      Hook hook,
      String webhookId,
      String body,
      Duration timeout,
      boolean callersTimeout) {
    EndpointBreaker breaker = breakers.of(kind, hook);
    if (!breaker.tryAcquire()) {
      throw new HookCallException(
          Reason.CIRCUIT_OPEN,
          "circuit breaker open: "
              + target.displayOf(hook)
              + " is out (it failed recently) and is not called for now",
          null);
    }
    long start = System.nanoTime();
    try {
      HookResponse response = traced(hook, webhookId, body, timeout);
      breaker.record(Outcome.ofStatus(response.status()), since(start));
      return response;
    } catch (HookCallException e) {
      if (e.reason() == Reason.INTERRUPTED
          || e.reason() == Reason.UNSENDABLE
          || (e.reason() == Reason.TIMEOUT && callersTimeout)) {
        breaker.release();
      } else if (e.reason() == Reason.TOO_LARGE) {
        breaker.record(Outcome.ROW_FAILURE, since(start));
      } else {
        breaker.record(Outcome.OUTAGE, since(start));
      }
      throw e;
    } catch (RuntimeException e) {
      breaker.release();
      throw e;
    }
  }

  /** {@link #send(CallKind, Hook, String, String, Duration, boolean)} with the relay's timeout. */
  public HookResponse send(
      CallKind kind, Hook hook, String webhookId, String body, Duration timeout) {
    return send(kind, hook, webhookId, body, timeout, false);
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * The call in a client span, child of the current context (the gRPC call's, or the delivery's),
   * whose context the request carries as {@code traceparent}.
   */
  @SuppressWarnings("try") // the scope is only closed, never read
  private HookResponse traced(Hook hook, String webhookId, String body, Duration timeout) {
    Span span = tracing.startCall(hook);
    try (Scope scope = span.makeCurrent()) {
      HookResponse response = execute(hook, webhookId, body, timeout);
      span.setAttribute(HookTracing.HTTP_STATUS, response.status());
      if (!response.isSuccess()) {
        span.setStatus(StatusCode.ERROR, "HTTP " + response.status());
      }
      return response;
    } catch (HookCallException e) {
      // The reason, not the message: spans leave the relay, and a message may name the URL.
      span.setStatus(StatusCode.ERROR, e.reason().name().toLowerCase());
      throw e;
    } finally {
      span.end();
    }
  }

  private HookResponse execute(Hook hook, String webhookId, String body, Duration timeout) {
    long timestamp = wallClock.instant().getEpochSecond();
    Request.Builder request = new Request.Builder();
    try {
      request
          .url(urls.get(hook))
          .header("User-Agent", Version.userAgent())
          .header("webhook-id", webhookId)
          .header("webhook-timestamp", Long.toString(timestamp))
          .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON));
    } catch (IllegalArgumentException e) {
      // A webhook-id that is no valid header value (a row written by hand, say): this one hook
      // cannot be sent, which says nothing about the integrator.
      throw new HookCallException(
          Reason.UNSENDABLE, "cannot build the request: " + e.getMessage(), e);
    }
    target
        .signer()
        .sign(webhookId, timestamp, body)
        .ifPresent(s -> request.header("webhook-signature", s));
    target.bearerToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
    tracing.inject(request);

    Call call = http.newCall(request.build());
    try (CallDeadlines.Watch watch = CallDeadlines.watch(call, timeout)) {
      try (Response response = call.execute()) {
        return HookResponse.read(response, wallClock);
      } catch (HookCallException e) {
        throw e;
      } catch (IOException e) {
        throw HookCallException.noAnswer(e, timeout, watch.expired());
      }
    }
  }
}
