package ccx.hooks.delivery;

import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.wire.HookTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;

/**
 * The span of one delivery attempt, tied to the call that stored the row.
 *
 * <p>Its parent is the stored context, so it is in the caller's trace and the {@code traceparent}
 * the integrator receives has the trace id that CCX sent: the integrator can match the post-hook to
 * the operation without reading the relay's spans. It also carries a link to that context, which is
 * what a trace viewer shows for work done later on behalf of another span: an attempt may run an
 * hour after the call, on another replica, and several attempts hang off one call. A new trace per
 * attempt, linked only, would have left the integrator with a trace id that CCX never saw.
 */
final class DeliverySpans {
  private DeliverySpans() {}

  static Span start(HookTracing tracing, OutboxRow row) {
    Context stored = HookTracing.storedContext(row.traceparent());
    SpanContext origin = Span.fromContext(stored).getSpanContext();
    SpanBuilder builder =
        tracing
            .tracer()
            .spanBuilder("deliver " + row.hookPath())
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(HookTracing.HOOK, row.hookPath())
            .setAttribute(HookTracing.CLUSTER_ID, row.clusterId())
            .setAttribute(HookTracing.WORK_ID, row.workId())
            .setAttribute(HookTracing.OUTBOX_ID, row.id())
            .setAttribute(HookTracing.ATTEMPT, (long) row.attempts());
    if (origin.isValid()) {
      builder.setParent(stored).addLink(origin);
    } else {
      builder.setNoParent();
    }
    return builder.startSpan();
  }
}
