package ccx.hooks.grpc;

import ccx.hooks.config.GrpcLimits;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the hook calls in flight, and among them the pre-hooks (each an open HTTP request to the
 * integrator). A call beyond a bound is answered {@code RESOURCE_EXHAUSTED} at once: it is not
 * queued, so neither memory nor sockets grow with the load offered, and CCX learns at once that it
 * should back off.
 */
final class CallLimiter implements ServerInterceptor {
  private final GrpcLimits limits;
  private final Set<String> preHookMethods;
  private final Semaphore calls;
  private final Semaphore preHooks;
  private final Refusals refusals;

  /**
   * @param preHookMethods full names of the methods that call the integrator synchronously
   */
  CallLimiter(GrpcLimits limits, Set<String> preHookMethods, MeterRegistry metrics) {
    this.refusals = new Refusals(metrics, CallLimiter.class);
    this.limits = limits;
    this.preHookMethods = Set.copyOf(preHookMethods);
    this.calls = new Semaphore(limits.maxConcurrentCalls());
    this.preHooks = new Semaphore(limits.maxPreHooksInFlight());
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    boolean preHook = preHookMethods.contains(call.getMethodDescriptor().getFullMethodName());
    if (!calls.tryAcquire()) {
      return refuse(
          call,
          limits.maxConcurrentCalls() + " calls in flight, the most --max-concurrent-calls allows");
    }
    if (preHook && !preHooks.tryAcquire()) {
      calls.release();
      return refuse(
          call,
          limits.maxPreHooksInFlight()
              + " pre-hooks in flight, the most --max-pre-hooks-in-flight allows");
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            calls.release();
            if (preHook) {
              preHooks.release();
            }
          }
        };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    // Exactly one of onComplete and onCancel ends every started call.
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          release.run();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          release.run();
        }
      }
    };
  }

  private <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, String why) {
    return refusals.refuse(
        call, Status.RESOURCE_EXHAUSTED.withDescription(why + "; retry later"), why);
  }
}
