package ccx.hooks.breaker;

import ccx.hooks.core.Hook;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A breaker per kind of call and per hook endpoint: pre-hooks and deliveries, and each hook path,
 * are isolated from one another, so one failing handler of the integrator stops only the calls to
 * that handler. Each breaker's state is the gauge {@code ccx_hook_breaker_state{kind,hook}} (0
 * closed, 1 half-open, 2 open), and calls it refused are {@code ccx_hook_breaker_refused_total}.
 */
public final class EndpointBreakers {
  private static final Logger log = LoggerFactory.getLogger(EndpointBreakers.class);
  private final Map<CallKind, Map<Hook, EndpointBreaker>> breakers = new EnumMap<>(CallKind.class);

  public EndpointBreakers(BreakerPolicy preHooks, BreakerPolicy deliveries, MeterRegistry metrics) {
    for (CallKind kind : CallKind.values()) {
      BreakerPolicy policy = kind == CallKind.PREHOOK ? preHooks : deliveries;
      Map<Hook, EndpointBreaker> byHook = new EnumMap<>(Hook.class);
      for (Hook hook : Hook.values()) {
        EndpointBreaker breaker = create(kind, hook, policy, metrics);
        byHook.put(hook, breaker);
        if (calledAs(kind, hook)) {
          Gauge.builder("ccx_hook_breaker_state", breaker, b -> b.state().gaugeValue())
              .description(
                  "Circuit breaker of an integrator endpoint: 0 closed, 1 half-open (probing), 2"
                      + " open (not called)")
              .tag("kind", kind.label())
              .tag("hook", hook.path())
              .strongReference(true)
              .register(metrics);
        }
      }
      breakers.put(kind, byHook);
    }
  }

  /** The defaults a relay runs with. */
  public static EndpointBreakers create(MeterRegistry metrics) {
    return new EndpointBreakers(BreakerPolicy.preHooks(), BreakerPolicy.deliveries(), metrics);
  }

  public EndpointBreaker of(CallKind kind, Hook hook) {
    return breakers.get(kind).get(hook);
  }

  /** The hooks whose delivery breaker takes no more rows now: the drainer does not claim them. */
  public Set<Hook> refusingDeliveries() {
    Set<Hook> refusing = EnumSet.noneOf(Hook.class);
    breakers
        .get(CallKind.DELIVERY)
        .forEach(
            (hook, breaker) -> {
              if (!breaker.admitsMore()) {
                refusing.add(hook);
              }
            });
    return refusing;
  }

  /** Runs {@code listener} whenever a delivery breaker changes state (e.g. turns half-open). */
  public void onDeliveryStateChange(Runnable listener) {
    breakers
        .get(CallKind.DELIVERY)
        .values()
        .forEach(
            b -> b.circuitBreaker().getEventPublisher().onStateTransition(e -> listener.run()));
  }

  /** Pre-hooks are called synchronously; post-hooks and queued notices are delivered. */
  private static boolean calledAs(CallKind kind, Hook hook) {
    return kind == CallKind.PREHOOK ? hook.isPre() : hook.kind() != Hook.Kind.APPROVAL;
  }

  private static EndpointBreaker create(
      CallKind kind, Hook hook, BreakerPolicy policy, MeterRegistry metrics) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(policy.outageWindow())
            .minimumNumberOfCalls(policy.outageMinimumCalls())
            .failureRateThreshold(policy.outageRatePercent())
            .waitDurationInOpenState(policy.openFor())
            .permittedNumberOfCallsInHalfOpenState(policy.probes())
            // Half-open after openFor by itself, so the drainer can wait for it without calling.
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .build();
    Counter refused =
        Counter.builder("ccx_hook_breaker_refused_total")
            .description("Calls not made because the endpoint's circuit breaker was open")
            .tag("kind", kind.label())
            .tag("hook", hook.path())
            .register(metrics);
    CircuitBreaker breaker = CircuitBreaker.of(kind.label() + " " + hook.path(), config);
    // One line per change of state: an operator sees when an endpoint went out and came back.
    breaker
        .getEventPublisher()
        .onStateTransition(
            e -> {
              CircuitBreaker.State to = e.getStateTransition().getToState();
              if (to == CircuitBreaker.State.OPEN) {
                log.warn(
                    "Circuit breaker for {} {} open: that endpoint is out; not called for {}s,"
                        + " then probed",
                    kind.label(),
                    hook.path(),
                    policy.openFor().toSeconds());
              } else if (to == CircuitBreaker.State.CLOSED) {
                log.info(
                    "Circuit breaker for {} {} closed: the endpoint answers again",
                    kind.label(),
                    hook.path());
              }
            });
    return new EndpointBreaker(breaker, policy, refused);
  }
}
