package ccx.hooks.prehook;

import ccx.hooks.breaker.CallKind;
import ccx.hooks.core.Hook;
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

  /**
   * Less time than this for the integrator, and the call is not made. The bench integrator on
   * loopback answers at p99 in 2.94 ms (docs/BENCHMARKS.md); a real one adds a network round trip
   * and often a TLS handshake, so below 20 ms a call mostly produces a timeout and load. It is
   * refused with DEADLINE_EXCEEDED, which is what the caller would get anyway.
   */
  static final Duration MINIMUM_CALL_TIME = Duration.ofMillis(20);

  private final HookHttpClient http;
  private final Duration timeout;

  PreHookClient(HookHttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /**
   * @param webhookId the {@code webhook-id} to send; a queued copy of this hook reuses it
   * @param callerTimeLeft how long until the caller's gRPC deadline, if it set one
   * @throws PreHookException when there is no usable answer
   * @throws DeadlineTooShortException when the deadline leaves too little time to ask
   */
  PreHookAnswer call(Hook hook, String webhookId, String body, Optional<Duration> callerTimeLeft) {
    Duration limit = effectiveTimeout(callerTimeLeft);
    if (limit.compareTo(MINIMUM_CALL_TIME) < 0) {
      throw new DeadlineTooShortException(
          hook, callerTimeLeft.orElse(Duration.ZERO), MINIMUM_CALL_TIME.plus(DEADLINE_MARGIN));
    }
    // Given less than half its time by the caller's deadline, an integrator that does not answer
    // may only be slower than that caller: neither its breaker nor --pre-hook-failure hears of
    // it. Given more, it is as out as one that ran out of the whole timeout, whoever cut it.
    boolean callersDeadline = limit.compareTo(timeout.dividedBy(2)) < 0;
    HookResponse response;
    try {
      response = http.send(CallKind.PREHOOK, hook, webhookId, body, limit, callersDeadline);
    } catch (HookCallException e) {
      throw PreHookException.noAnswer(hook, e, limit, callersDeadline);
    }
    if (!response.isSuccess()) {
      if (hook.kind() == Hook.Kind.APPROVAL && isRefusal(response.status())) {
        return new PreHookAnswer(Optional.empty(), "", Optional.of(refusal(response)));
      }
      throw PreHookException.status(hook, response.status());
    }
    HookJson.Answer answer;
    try {
      answer = HookJson.parseAnswer(response.body());
    } catch (HookJson.NotJsonException e) {
      if (hook.kind() == Hook.Kind.APPROVAL) {
        throw PreHookException.unusable(hook, response.status(), e);
      }
      // A hook that cannot reject succeeds on any 2xx; the relay fills in the work_id.
      return new PreHookAnswer(Optional.empty(), "", Optional.empty());
    }
    try {
      return new PreHookAnswer(Optional.of(answer), answer.workId(), Optional.empty());
    } catch (HookJson.ContractException e) {
      if (hook.kind() == Hook.Kind.APPROVAL && !answer.approved()) {
        // A "no" stays a "no" whatever its work_id: no post-hook follows a rejection to need it,
        // and taken for a failure, --pre-hook-failure=approve would turn it into an approval.
        return new PreHookAnswer(Optional.of(answer), "", Optional.empty());
      }
      throw PreHookException.unusable(hook, response.status(), e);
    }
  }

  /**
   * A 4xx is the integrator saying no ("unauthorised", "over quota", "invalid"): an answer, never a
   * missing one. 408 and 429 are not about the request: it timed out, or came too fast.
   */
  private static boolean isRefusal(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }

  private static String refusal(HookResponse response) {
    String reason = "integrator refused with HTTP " + response.status();
    try {
      String given = HookJson.parseAnswer(response.body()).string("reason");
      return given.isEmpty() ? reason : reason + ": " + given;
    } catch (HookJson.NotJsonException e) {
      return reason;
    }
  }

  Duration effectiveTimeout(Optional<Duration> callerTimeLeft) {
    if (callerTimeLeft.isEmpty()) {
      return timeout;
    }
    Duration left = callerTimeLeft.get().minus(DEADLINE_MARGIN);
    return left.compareTo(timeout) < 0 ? left : timeout;
  }
}
