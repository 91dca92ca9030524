package ccx.hooks.grpc;

import ccx.hooks.wire.HookTracing;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server span per hook RPC, continuing the W3C context ({@code traceparent}, {@code tracestate})
 * the caller sent in its metadata. The span is the current context in every callback of the call,
 * so the pre-hook's HTTP request and a post-hook's stored row carry it on.
 *
 * <p>Registered after the caller checks: a caller that is not let in opens no span, so a stranger
 * cannot make the relay record (and export) traces of its choosing.
 */
final class TracingInterceptor implements ServerInterceptor {
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  private static final TextMapGetter<Metadata> METADATA =
      new TextMapGetter<>() {
        @Override
        public String get(Metadata carrier, String key) {
          // Binary headers ("-bin") cannot be read as text, and no W3C field is one.
          if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return null;
          }
          return carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
      };

  private final HookTracing tracing;

  TracingInterceptor(HookTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  @SuppressWarnings("try") // the scopes are only closed, never read
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context parent = tracing.propagator().extract(Context.root(), headers, METADATA);
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    Span span =
        tracing
            .tracer()
            .spanBuilder(method.getFullMethodName())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(RPC_SYSTEM, "grpc")
            .setAttribute(RPC_SERVICE, method.getServiceName())
            .setAttribute(RPC_METHOD, method.getBareMethodName())
            .startSpan();
    Context context = parent.with(span);
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end =
        () -> {
          if (ended.compareAndSet(false, true)) {
            span.end();
          }
        };
    ServerCall<ReqT, RespT> traced =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            span.setAttribute(RPC_STATUS, status.getCode().value());
            if (!status.isOk()) {
              span.setStatus(StatusCode.ERROR, status.getCode().name());
            }
            // Ended before the answer leaves: whoever reads the trace after the answer finds it.
            end.run();
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> listener;
    try (Scope scope = context.makeCurrent()) {
      listener = next.startCall(traced, headers);
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        try (Scope scope = context.makeCurrent()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope scope = context.makeCurrent()) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        try (Scope scope = context.makeCurrent()) {
          span.setStatus(StatusCode.ERROR, "CANCELLED");
          super.onCancel();
        } finally {
          end.run();
        }
      }

      @Override
      public void onComplete() {
        try (Scope scope = context.makeCurrent()) {
          super.onComplete();
        } finally {
          end.run();
        }
      }

      @Override
      public void onReady() {
        try (Scope scope = context.makeCurrent()) {
          super.onReady();
        }
      }
    };
  }
}
