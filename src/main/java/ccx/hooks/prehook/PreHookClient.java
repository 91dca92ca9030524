package ccx.hooks.prehook;

import ccx.hooks.wire.Hook;
import ccx.hooks.wire.HookCallException;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookJson;
import ccx.hooks.wire.HookResponse;
import java.time.Duration;
import java.util.Optional;

/** Calls a pre-hook synchronously and judges whether the answer is usable. */
final class PreHookClient {
  /**
   * Kept from the caller's deadline so the relay can still answer in time: a reply that arrives
   * after the deadline is worth nothing to CCX.
   */
  static final Duration DEADLINE_MARGIN = Duration.ofMillis(50);

  private final HookHttpClient http;
  private final Duration timeout;

  PreHookClient(HookHttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /**
   * @param webhookId the {@code webhook-id} to send; a queued copy of this hook reuses it
   * @param callerTimeLeft how long until the caller's gRPC deadline, if it set one
   * @throws PreHookException when the answer is not usable
   */
  PreHookAnswer call(Hook hook, String webhookId, String body, Optional<Duration> callerTimeLeft) {
    Duration limit = effectiveTimeout(callerTimeLeft);
    HookResponse response;
    try {
      response = http.send(hook, webhookId, body, limit);
    } catch (HookCallException e) {
      throw new PreHookException(hook, e.getMessage(), e);
    }
    if (!response.isSuccess()) {
      throw new PreHookException(hook, "integrator answered HTTP " + response.status(), null);
    }
    try {
      return new PreHookAnswer(Optional.of(HookJson.parseAnswer(response.body())));
    } catch (HookJson.NotJsonException e) {
      if (hook.kind() == Hook.Kind.APPROVAL) {
        throw new PreHookException(hook, "HTTP " + response.status() + " but " + e.getMessage(), e);
      }
      // A hook that cannot reject succeeds on any 2xx; the relay fills in the work_id.
      return new PreHookAnswer(Optional.empty());
    }
  }

  Duration effectiveTimeout(Optional<Duration> callerTimeLeft) {
    if (callerTimeLeft.isEmpty()) {
      return timeout;
    }
    Duration left = callerTimeLeft.get().minus(DEADLINE_MARGIN);
    if (left.compareTo(Duration.ofMillis(1)) < 0) {
      left = Duration.ofMillis(1);
    }
    return left.compareTo(timeout) < 0 ? left : timeout;
  }
}
