package ccx.hooks.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Calls refused at the door: counted in {@code ccx_hook_grpc_refused_total} by status code and
 * method (an operator alerts on a spike of UNAUTHENTICATED, or raises a limit when
 * RESOURCE_EXHAUSTED shows up), and logged, throttled, with the caller's address and why.
 */
final class Refusals {
  private final MeterRegistry metrics;
  private final ThrottledLog log;

  Refusals(MeterRegistry metrics, Class<?> owner) {
    this.metrics = metrics;
    this.log = new ThrottledLog(owner);
  }

  /** Closes {@code call} with {@code status} and counts and logs the refusal. */
  <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Status status, String why) {
    Counter.builder("ccx_hook_grpc_refused")
        .description("gRPC calls refused before they ran, by status code and method")
        .tag("code", status.getCode().name())
        .tag("method", call.getMethodDescriptor().getBareMethodName())
        .register(metrics)
        .increment();
    log.refused(call, status.getCode().name(), why);
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
