package ccx.hooks.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A timer per hook and outcome, looked up once and kept: registering a meter on every call costs an
 * id, its tags and a registry lookup, on the hot path of every hook.
 */
public final class HookTimers {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public HookTimers(MeterRegistry registry, String name, String description) {
    this.registry = registry;
    this.name = name;
    this.description = description;
  }

  public void record(Hook hook, String outcome, Duration took) {
    timers
        .computeIfAbsent(
            hook.path() + ' ' + outcome,
            key ->
                Timer.builder(name)
                    .description(description)
                    .tag("hook", hook.path())
                    .tag("outcome", outcome)
                    .register(registry))
        .record(took);
  }
}
