package ccx.hooks.grpc;

import ccx.hooks.config.GrpcLimits;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Bounds the hook calls in flight, among them the pre-hooks (each an open HTTP request to the
 * integrator), and among those each pre-hook's own (see {@link #shareOf}). A call beyond a bound is
 * answered {@code RESOURCE_EXHAUSTED} at once: it is not queued, so neither memory nor sockets grow
 * with the load offered, and CCX learns at once that it should back off.
 *
 * <p>A call's place is freed when the call has ended and the work it handed to a thread of its own
 * ({@link Place#hold}) has ended too: a caller that cancels at once does not free the place of an
 * HTTP request still open to the integrator, so cancelling callers cannot open more than the bound.
 */
final class CallLimiter implements ServerInterceptor {
  /** The place of the current call, in the context of its callbacks. */
  static final Context.Key<Place> PLACE = Context.key("ccx-hook-call-place");

  /** A call's place in the bounds: freed when the call and every holder have let go of it. */
  static final class Place {
    private final AtomicInteger holders = new AtomicInteger(1); // the call itself
    private final Runnable free;

    private Place(Runnable free) {
      this.free = free;
    }

    /** Holds the place for work that may outlast the call; the work must {@link #release} it. */
    void hold() {
      holders.incrementAndGet();
    }

    void release() {
      if (holders.decrementAndGet() == 0) {
        free.run();
      }
    }
  }

  private final GrpcLimits limits;
  private final Semaphore calls;
  private final Semaphore preHooks;

  private final Set<String> preHookMethods;

  /** Each pre-hook method's own share of {@link #preHooks}, none for a bound below 4. */
  private final Map<String, Semaphore> preHookShares;

  private final int preHookShare;
  private final Refusals refusals;

  /**
   * @param preHookMethods full names of the methods that call the integrator synchronously
   */
  CallLimiter(GrpcLimits limits, Set<String> preHookMethods, MeterRegistry metrics) {
    this.refusals = new Refusals(metrics, CallLimiter.class);
    this.limits = limits;
    this.calls = new Semaphore(limits.maxConcurrentCalls());
    this.preHooks = new Semaphore(limits.maxPreHooksInFlight());
    this.preHookShare = shareOf(limits.maxPreHooksInFlight());
    this.preHookMethods = Set.copyOf(preHookMethods);
    // A bound below 4 is shared whole: no method has a share of its own to run out of.
    this.preHookShares =
        preHookShare == limits.maxPreHooksInFlight()
            ? Map.of()
            : preHookMethods.stream()
                .collect(Collectors.toMap(m -> m, m -> new Semaphore(preHookShare)));
  }

  /**
   * The most pre-hooks of one method (one endpoint) in flight: three quarters of the bound, so that
   * an endpoint that takes calls and never answers leaves a quarter for the approvals of the others
   * until its breaker opens. A bound below 4 is shared whole.
   */
  static int shareOf(int maxPreHooksInFlight) {
    return maxPreHooksInFlight - maxPreHooksInFlight / 4;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean preHook = preHookMethods.contains(method);
    Semaphore share = preHookShares.get(method);
    if (!calls.tryAcquire()) {
      return refuse(
          call,
          limits.maxConcurrentCalls() + " calls in flight, the most --max-concurrent-calls allows");
    }
    if (share != null && !share.tryAcquire()) {
      calls.release();
      return refuse(
          call,
          preHookShare
              + " "
              + call.getMethodDescriptor().getBareMethodName()
              + " calls in flight, the most one pre-hook may hold (three quarters of"
              + " --max-pre-hooks-in-flight, so that the others keep a quarter)");
    }
    if (preHook && !preHooks.tryAcquire()) {
      if (share != null) {
        share.release();
      }
      calls.release();
      return refuse(
          call,
          limits.maxPreHooksInFlight()
              + " pre-hooks in flight, the most --max-pre-hooks-in-flight allows");
    }
    Place place =
        new Place(
            () -> {
              calls.release();
              if (preHook) {
                preHooks.release();
              }
              if (share != null) {
                share.release();
              }
            });
    AtomicBoolean ended = new AtomicBoolean();
    Runnable release =
        () -> {
          if (ended.compareAndSet(false, true)) {
            place.release();
          }
        };
    ServerCall.Listener<Q> listener;
    try {
      listener =
          Contexts.interceptCall(Context.current().withValue(PLACE, place), call, headers, next);
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
