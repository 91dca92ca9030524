package ccx.hooks.wire;

import ccx.hooks.Version;
import ccx.hooks.wire.HookCallException.Reason;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Sends one hook to the integrator: the wire format of DESIGN section 3, shared by pre-hooks and
 * outbox deliveries, behind one circuit breaker for the target.
 */
public final class HookHttpClient {
  /** Larger answers are an error: an integrator has no reason to send more, an attacker might. */
  public static final int MAX_RESPONSE_BYTES = 1 << 20;

  /** How long the breaker stays open before one probe call is let through. */
  public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(5);

  private static final MediaType JSON = MediaType.get("application/json");

  private final HookTarget target;
  private final OkHttpClient http;
  private final CircuitBreaker breaker;
  private final Clock wallClock;

  public HookHttpClient(HookTarget target, OkHttpClient http, CircuitBreaker breaker, Clock clock) {
    this.target = target;
    this.http = http;
    this.breaker = breaker;
    this.wallClock = clock;
  }

  /** A client with the defaults a relay runs with. */
  public static HookHttpClient create(HookTarget target) {
    OkHttpClient http = defaultHttpClient();
    if (target.caCertificates().isPresent()) {
      http = PemTrust.trustOnly(http.newBuilder(), target.caCertificates().get()).build();
    }
    return new HookHttpClient(
        target, http, defaultBreaker(target, DEFAULT_BREAKER_OPEN), Clock.systemUTC());
  }

  /**
   * Redirects are never followed: a hook carries a session id and a signature meant for this one
   * target. Timeouts are set per call, so the client itself has none.
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

  /**
   * Opens when half of the last 20 calls (at least 10) failed; after {@code openFor} it lets one
   * call through as a probe.
   */
  public static CircuitBreaker defaultBreaker(HookTarget target, Duration openFor) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .failureRateThreshold(50)
            .waitDurationInOpenState(openFor)
            .permittedNumberOfCallsInHalfOpenState(1)
            // Half-open after openFor by itself, so the drainer can wait for it without calling.
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .build();
    return CircuitBreaker.of(target.display(), config);
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public HookTarget target() {
    return target;
  }

  /** Closes idle connections and the client's threads. */
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /**
   * POSTs {@code body} to the hook's URL. A non-2xx status is an answer, not an exception; no
   * answer at all is a {@link HookCallException} whose reason says why.
   *
   * @param webhookId the {@code webhook-id}: stable across retries of one delivery
   * @param timeout the whole call, from connect to the last byte of the answer
   */
  public HookResponse send(Hook hook, String webhookId, String body, Duration timeout) {
    if (!breaker.tryAcquirePermission()) {
      throw new HookCallException(
          Reason.CIRCUIT_OPEN,
          "circuit breaker open: " + target.display() + " failed recently, not called",
          null);
    }
    long start = System.nanoTime();
    try {
      HookResponse response = execute(hook, webhookId, body, timeout);
      long nanos = System.nanoTime() - start;
      // A 4xx means the integrator is up and answering, and a 429 that it is pacing us (Retry-After
      // does the pacing): only its failures open the circuit.
      if (response.status() >= 500) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, new IOException("HTTP " + response.status()));
      } else {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
      }
      return response;
    } catch (HookCallException e) {
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      throw e;
    } catch (RuntimeException e) {
      breaker.releasePermission();
      throw e;
    }
  }

  private HookResponse execute(Hook hook, String webhookId, String body, Duration timeout) {
    long timestamp = wallClock.instant().getEpochSecond();
    Request.Builder request =
        new Request.Builder()
            .url(target.urlOf(hook))
            .header("User-Agent", Version.userAgent())
            .header("webhook-id", webhookId)
            .header("webhook-timestamp", Long.toString(timestamp))
            .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON));
    target
        .signer()
        .sign(webhookId, timestamp, body)
        .ifPresent(s -> request.header("webhook-signature", s));
    target.bearerToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));

    Call call = http.newCall(request.build());
    call.timeout().timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      String answer = readLimited(response);
      return new HookResponse(response.code(), answer, retryAfter(response));
    } catch (HookCallException e) {
      throw e;
    } catch (InterruptedIOException e) {
      throw new HookCallException(
          Reason.TIMEOUT, "no answer within " + timeout.toMillis() + "ms (timeout)", e);
    } catch (SSLException e) {
      throw new HookCallException(Reason.CONNECTION, "TLS error: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new HookCallException(Reason.CONNECTION, "connection failed: " + describe(e), e);
    }
  }

  private static String readLimited(Response response) throws IOException {
    BufferedSource source = response.body().source();
    if (source.request(MAX_RESPONSE_BYTES + 1L)) {
      throw new HookCallException(
          Reason.TOO_LARGE,
          "HTTP " + response.code() + " answer larger than " + MAX_RESPONSE_BYTES + " bytes",
          null);
    }
    return source.getBuffer().readUtf8();
  }

  private Optional<Duration> retryAfter(Response response) {
    String value = response.header("Retry-After");
    if (value == null || (response.code() != 429 && response.code() != 503)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(wallClock.instant(), at.toInstant());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException neither) {
        return Optional.empty();
      }
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }
}
