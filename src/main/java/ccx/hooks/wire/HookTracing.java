package ccx.hooks.wire;

import ccx.hooks.core.ConfigException;
import ccx.hooks.core.Hook;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The relay's traces (DESIGN section 7): a W3C {@code traceparent} from CCX continues through the
 * relay into the integrator's HTTP request. Spans carry the hook, {@code cluster_id}, {@code
 * work_id}, the outbox id, the attempt and the HTTP status; never {@code auth_id} (the user's
 * session) nor any token.
 *
 * <p>Three set-ups: {@link #off()} (no propagation at all: tools and tests that do not trace),
 * {@link #propagating()} (export off: the context is passed on unchanged, no span is recorded), and
 * an SDK configured by the standard {@code OTEL_*} variables ({@link #fromEnvironment}).
 */
public final class HookTracing implements AutoCloseable {
  public static final AttributeKey<String> HOOK = AttributeKey.stringKey("ccx.hook");
  public static final AttributeKey<String> CLUSTER_ID = AttributeKey.stringKey("ccx.cluster_id");
  public static final AttributeKey<String> WORK_ID = AttributeKey.stringKey("ccx.work_id");
  public static final AttributeKey<Long> OUTBOX_ID = AttributeKey.longKey("ccx.outbox_id");
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("ccx.attempt");
  public static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");

  private static final String TRACEPARENT = "traceparent";
  private static final String INSTRUMENTATION = "ccx-hook-service";

  /**
   * Any of these set (as a variable or as the matching {@code otel.*} property) turns export on.
   */
  private static final List<String> EXPORT_SWITCHES =
      List.of(
          "OTEL_TRACES_EXPORTER",
          "OTEL_EXPORTER_OTLP_ENDPOINT",
          "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Optional<OpenTelemetrySdk> sdk;
  private final String description;

  private HookTracing(
      OpenTelemetry openTelemetry, Optional<OpenTelemetrySdk> sdk, String description) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.sdk = sdk;
    this.description = description;
  }

  /** No spans and no propagation: a {@code traceparent} from the caller goes no further. */
  public static HookTracing off() {
    return new HookTracing(OpenTelemetry.noop(), Optional.empty(), "tracing off");
  }

  /**
   * Export off: no span is recorded, and the caller's W3C context reaches the integrator as it
   * came, so the integrator's spans join CCX's trace at no cost to the relay.
   */
  public static HookTracing propagating() {
    return new HookTracing(
        OpenTelemetry.propagating(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance())),
        Optional.empty(),
        "trace export off (no OTEL_TRACES_EXPORTER or OTEL_EXPORTER_OTLP_ENDPOINT); traceparent"
            + " passed on");
  }

  /** Spans made by {@code openTelemetry} (tests hand in an SDK with an in-memory exporter). */
  public static HookTracing of(OpenTelemetry openTelemetry) {
    return new HookTracing(openTelemetry, Optional.empty(), "tracing with a given SDK");
  }

  /**
   * As the standard {@code OTEL_*} variables (or {@code otel.*} system properties) say: export only
   * when one of them names an exporter or an OTLP endpoint, else {@link #propagating()}. Metrics
   * and logs are never exported over OTLP (Prometheus and the log stream serve them) unless their
   * own variables ask for it.
   */
  public static HookTracing fromEnvironment(Map<String, String> environment) {
    if (!exportRequested(environment, System::getProperty)) {
      return propagating();
    }
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", INSTRUMENTATION);
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    // Autoconfigure reads the process's variables itself, above these; the given ones are passed
    // too, so that what is decided above and what is configured come from the same settings.
    environment.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            defaults.put(propertyName(name), value);
          }
        });
    OpenTelemetrySdk sdk;
    try {
      sdk =
          AutoConfiguredOpenTelemetrySdk.builder()
              .addPropertiesSupplier(() -> defaults)
              // Relay.close ends the SDK after the last delivery, so its spans are flushed too.
              .disableShutdownHook()
              .build()
              .getOpenTelemetrySdk();
    } catch (RuntimeException e) {
      // The SDK names the setting as a property (otel.traces.exporter): the variable is its
      // upper-case form.
      throw new ConfigException("OTEL_* trace export settings: " + e.getMessage());
    }
    return new HookTracing(sdk, Optional.of(sdk), "traces exported as the OTEL_* variables say");
  }

  static boolean exportRequested(
      Map<String, String> environment, Function<String, String> systemProperties) {
    if ("true".equalsIgnoreCase(setting("OTEL_SDK_DISABLED", environment, systemProperties))) {
      return false;
    }
    for (String name : EXPORT_SWITCHES) {
      String value = setting(name, environment, systemProperties);
      if (value != null && !value.isBlank() && !value.trim().equalsIgnoreCase("none")) {
        return true;
      }
    }
    return false;
  }

  private static String setting(
      String variable, Map<String, String> environment, Function<String, String> properties) {
    String property = properties.apply(propertyName(variable));
    return property != null ? property : environment.get(variable);
  }

  private static String propertyName(String variable) {
    return variable.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  public Tracer tracer() {
    return tracer;
  }

  public TextMapPropagator propagator() {
    return propagator;
  }

  /** True when spans leave the process: an SDK configured by the {@code OTEL_*} variables. */
  public boolean exports() {
    return sdk.isPresent();
  }

  /** For the log line at start: which of the set-ups runs. */
  public String describe() {
    return description;
  }

  /** A span for one HTTP call to the integrator, child of the current context. */
  Span startCall(Hook hook) {
    return tracer
        .spanBuilder("POST " + hook.path())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HOOK, hook.path())
        .startSpan();
  }

  /** The current context's headers ({@code traceparent}, {@code tracestate}) onto a request. */
  void inject(okhttp3.Request.Builder request) {
    propagator.inject(Context.current(), request, (r, name, value) -> r.header(name, value));
  }

  /**
   * The W3C {@code traceparent} of {@code context}, to store with an outbox row; null when it has
   * no valid span (no caller context, and no span of the relay's own).
   */
  public static String traceparentOf(Context context) {
    if (!Span.fromContext(context).getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> headers = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(context, headers, Map::put);
    return headers.get(TRACEPARENT);
  }

  /** The context a stored {@code traceparent} names; the root context when null or malformed. */
  public static Context storedContext(String traceparent) {
    if (traceparent == null || traceparent.isEmpty()) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER);
  }

  private static final TextMapGetter<Map<String, String>> MAP_GETTER =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  /** Flushes and ends an SDK built from the environment; nothing to do otherwise. */
  @Override
  public void close() {
    sdk.ifPresent(OpenTelemetrySdk::close);
  }
}
