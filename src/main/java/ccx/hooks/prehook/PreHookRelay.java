package ccx.hooks.prehook;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.core.Hook;
import ccx.hooks.core.HookTimers;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxUnavailableException;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookJson;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.WebhookIds;
import com.google.protobuf.MessageOrBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantics of pre-hooks (DESIGN section 4): approval only on {@code "approved": true}, the
 * failure policy for approval hooks, and for hooks that cannot reject, a relay-generated work_id
 * and a queued copy when the integrator cannot be reached. Request bodies are never logged: they
 * carry the user's session id.
 */
public final class PreHookRelay {
  private static final Logger log = LoggerFactory.getLogger(PreHookRelay.class);

  private final PreHookClient client;
  private final FailurePolicy failurePolicy;
  private final OutboxRepository outbox;
  private final HookTimers timers;

  public PreHookRelay(
      HookHttpClient http,
      PreHookSettings settings,
      OutboxRepository outbox,
      MeterRegistry metrics) {
    this.client = new PreHookClient(http, settings.timeout());
    this.failurePolicy = settings.failurePolicy();
    this.outbox = outbox;
    this.timers =
        new HookTimers(
            metrics, "ccx_hook_prehook", "Pre-hook calls to the integrator, by hook and outcome");
  }

  /**
   * The decision on an approval hook.
   *
   * @param reason the integrator's explanation of a rejection, or the relay's when there was no
   *     usable answer
   */
  public record Approval(
      boolean approved,
      String workId,
      String reason,
      String userId,
      String projectId,
      String organisationId) {}

  /**
   * Asks the integrator to approve; applies {@code --pre-hook-failure} when it gives no usable
   * answer.
   *
   * @throws PreHookException when there was no usable answer and the policy is {@code error}
   * @throws DeadlineTooShortException when the caller's deadline left too little time to ask
   */
  public Approval approve(
      Hook hook, String clusterId, MessageOrBuilder request, Optional<Duration> timeLeft) {
    long start = System.nanoTime();
    try {
      PreHookAnswer answer = client.call(hook, WebhookIds.next(), HookJson.body(request), timeLeft);
      if (answer.refusal().isPresent()) {
        // A 4xx is a "no" under every policy: --pre-hook-failure is for when there is no answer.
        record(hook, "rejected", start);
        log.info(
            "{} for cluster '{}' rejected: {}", hook.path(), clusterId, answer.refusal().get());
        return new Approval(false, newWorkId(), answer.refusal().get(), "", "", "");
      }
      boolean approved = answer.json().orElseThrow().approved();
      String reason = answer.string("reason");
      if (!approved && reason.isEmpty()) {
        reason = "the integrator's answer did not contain \"approved\": true";
      }
      Approval approval =
          new Approval(
              approved,
              orNew(answer.workId()),
              reason,
              answer.string("user_id"),
              answer.string("project_id"),
              answer.string("organisation_id"));
      record(hook, approved ? "approved" : "rejected", start);
      if (!approved) {
        log.info(
            "{} for cluster '{}' rejected by the integrator: {}", hook.path(), clusterId, reason);
      }
      return approval;
    } catch (PreHookException e) {
      record(hook, "failed", start);
      if (e.failure() == PreHookException.Failure.CALLERS_DEADLINE) {
        // The caller gave up before the integrator had its time: DEADLINE_EXCEEDED, under every
        // policy (approving for an integrator that may only be slow would approve unasked).
        throw e;
      }
      return switch (failurePolicy) {
        // The caller is answered UNAVAILABLE, and the gRPC service logs it, once, with the call.
        case ERROR -> throw e;
        case REJECT -> {
          log.warn(
              "{} for cluster '{}': {}; rejecting (--pre-hook-failure=reject)",
              hook.path(),
              clusterId,
              e.detail());
          yield new Approval(false, newWorkId(), e.summary(), "", "", "");
        }
        case APPROVE -> {
          log.warn(
              "{} for cluster '{}': {}; approving (--pre-hook-failure=approve)",
              hook.path(),
              clusterId,
              e.detail());
          yield new Approval(
              true, newWorkId(), "approved without the integrator: " + e.summary(), "", "", "");
        }
      };
    }
  }

  /**
   * Tells the integrator of work that cannot be rejected, and returns its work_id. When the
   * integrator cannot be reached, answers with a relay-generated work_id and queues {@code
   * storedCopy} (the request without its session id) in the outbox, ahead of the post-hook.
   *
   * @throws NoticeNotQueuedException when the hook could neither be sent nor queued
   * @throws DeadlineTooShortException when the caller's deadline left too little time to ask
   */
  public String announce(
      Hook hook,
      String clusterId,
      MessageOrBuilder request,
      MessageOrBuilder storedCopy,
      Optional<Duration> timeLeft) {
    long start = System.nanoTime();
    String webhookId = WebhookIds.next();
    try {
      PreHookAnswer answer = client.call(hook, webhookId, HookJson.body(request), timeLeft);
      record(hook, "ok", start);
      return orNew(answer.workId());
    } catch (PreHookException e) {
      String workId = newWorkId();
      try {
        // The queued copy keeps the webhook-id of the failed call: if the integrator did get that
        // call after all, it can tell the copy is the same hook.
        // It carries the work_id CCX was given, so the integrator can match the post-hook to it.
        String body = HookJson.withField(HookJson.body(storedCopy), "work_id", workId);
        // The caller's trace goes with it: its delivery continues the trace of this call.
        String traceparent = HookTracing.traceparentOf(Context.current());
        outbox.enqueue(
            List.of(
                NewHook.of(hook)
                    .clusterId(clusterId)
                    .workId(workId)
                    .payload(body)
                    .webhookId(webhookId)
                    .traceparent(traceparent)
                    .build()));
      } catch (OutboxUnavailableException o) {
        record(hook, "failed", start);
        // The caller is answered UNAVAILABLE, and the gRPC service logs it, once, with the call.
        throw new NoticeNotQueuedException(e, o);
      }
      record(hook, "queued", start);
      log.warn(
          "{} for cluster '{}': {}; answered with work_id {} and queued the hook for delivery",
          hook.path(),
          clusterId,
          e.detail(),
          workId);
      return workId;
    }
  }

  private void record(Hook hook, String outcome, long startNanos) {
    timers.record(hook, outcome, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private static String orNew(String workId) {
    return workId.isEmpty() ? newWorkId() : workId;
  }

  private static String newWorkId() {
    return UUID.randomUUID().toString();
  }
}
