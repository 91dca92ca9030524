package ccx.hooks.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import ccx.hooks.core.Hook;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** Export off unless the standard OTEL_* variables turn it on; then spans go out over OTLP. */
class HookTracingTest {
  private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  @SuppressWarnings("try") // the scopes are only closed
  void without_otel_variables_nothing_is_exported_and_the_callers_context_passes_on_unchanged() {
    HookTracing tracing = HookTracing.fromEnvironment(Map.of());

    assertThat(tracing.exports()).isFalse();
    Map<String, String> sent = new HashMap<>();
    try (Scope caller = HookTracing.storedContext(CALLER).makeCurrent()) {
      Span call = tracing.startCall(Hook.PRE_ADD_NODE);
      assertThat(call.isRecording()).isFalse();
      try (Scope scope = call.makeCurrent()) {
        Request.Builder request = new Request.Builder().url("http://127.0.0.1/");
        tracing.inject(request);
        request.build().headers().forEach(h -> sent.put(h.getFirst(), h.getSecond()));
      }
      call.end();
    }
    // No span of the relay's own in between: the integrator sees the caller's span as parent.
    assertThat(sent).containsEntry("traceparent", CALLER);
  }

  @Test
  void an_exporter_of_none_or_a_disabled_sdk_keeps_export_off() {
    assertThat(HookTracing.exportRequested(Map.of(), name -> null)).isFalse();
    assertThat(HookTracing.exportRequested(Map.of("OTEL_TRACES_EXPORTER", "none"), name -> null))
        .isFalse();
    assertThat(
            HookTracing.exportRequested(
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), name -> null))
        .isTrue();
    assertThat(HookTracing.exportRequested(Map.of("OTEL_TRACES_EXPORTER", "otlp"), name -> null))
        .isTrue();
    assertThat(
            HookTracing.exportRequested(
                Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true"), name -> null))
        .isFalse();
    // A system property wins over the variable, as in the SDK.
    assertThat(
            HookTracing.exportRequested(
                Map.of("OTEL_TRACES_EXPORTER", "otlp"),
                name -> name.equals("otel.traces.exporter") ? "none" : null))
        .isFalse();
  }

  @Test
  void an_unknown_exporter_is_a_configuration_error_naming_the_setting() {
    assertThatThrownBy(
            () -> HookTracing.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "carrier-pigeon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("otel.traces.exporter")
        .hasMessageContaining("carrier-pigeon");
  }

  @Test
  @SuppressWarnings("try") // the scope is only closed
  void the_otlp_endpoint_variable_turns_export_on() throws Exception {
    try (MockWebServer collector = new MockWebServer()) {
      collector.enqueue(new MockResponse.Builder().code(200).build());
      collector.start();
      String endpoint = "http://127.0.0.1:" + collector.getPort();
      HookTracing tracing =
          HookTracing.fromEnvironment(
              Map.of(
                  "OTEL_EXPORTER_OTLP_ENDPOINT",
                  endpoint,
                  "OTEL_EXPORTER_OTLP_PROTOCOL",
                  "http/protobuf"));
      assertThat(tracing.exports()).isTrue();

      Span call;
      try (Scope caller = HookTracing.storedContext(CALLER).makeCurrent()) {
        call = tracing.startCall(Hook.PRE_ADD_NODE);
        call.setAttribute(HookTracing.HTTP_STATUS, 200L);
        call.end();
      }
      tracing.close(); // flushes

      RecordedRequest export = collector.takeRequest(10, TimeUnit.SECONDS);
      assertThat(export).isNotNull();
      assertThat(export.getUrl().encodedPath()).isEqualTo("/v1/traces");
      String body = export.getBody().string(java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(body).contains("POST pre-add-node").contains("ccx-hook-service");
      assertThat(call.getSpanContext().getTraceId()).isEqualTo(CALLER.split("-")[1]);
    }
  }
}
