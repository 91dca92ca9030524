package ccx.hooks.grpc;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.prehook.PreHookRelay.Approval;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.wire.HookJson;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.LogFields;
import ccx.hooks.wire.WebhookIds;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eight RPCs, one per {@link Hook}, all answered by one path: {@link #answer} checks the
 * request, then relays an approval hook, announces a hook that cannot reject, or stores a
 * post-hook, by the hook's {@link Hook.Kind}. Post-hooks are answered only once their outbox row is
 * committed. Errors become gRPC statuses here, at the boundary, with a description and never a
 * stack trace.
 *
 * <p>Every answer blocks, on HTTP or on a commit, so each call is answered on a thread of its own
 * from {@code calls}, handed over with its contexts (the gRPC call's, with its deadline, and the
 * trace's); the call's events themselves run where the transport delivers them ({@link
 * GrpcServer}).
 */
final class HookGrpcService implements BindableService {
  private static final Logger log = LoggerFactory.getLogger(HookGrpcService.class);

  private final PreHookRelay preHooks;
  private final OutboxWriter outbox;
  private final Executor calls;

  /**
   * @param calls runs each call's answer: one virtual thread per call
   */
  HookGrpcService(PreHookRelay preHooks, OutboxWriter outbox, Executor calls) {
    this.preHooks = preHooks;
    this.outbox = outbox;
    this.calls = calls;
  }

  /** The eight RPCs, each bound to {@link #handOver} with its hook. */
  @Override
  public ServerServiceDefinition bindService() {
    ServerServiceDefinition.Builder service =
        ServerServiceDefinition.builder(HookServiceGrpc.getServiceDescriptor());
    for (Hook hook : Hook.values()) {
      MethodDescriptor<Message, Message> rpc = rpcOf(hook);
      Message empty =
          ((MethodDescriptor.PrototypeMarshaller<Message>) rpc.getResponseMarshaller())
              .getMessagePrototype();
      service.addMethod(
          rpc, ServerCalls.asyncUnaryCall((request, out) -> handOver(hook, request, empty, out)));
    }
    // Fails, when the service has an RPC that no hook answers.
    return service.build();
  }

  /** The RPC of {@code hook}: every RPC of the service takes and returns protobuf messages. */
  @SuppressWarnings("unchecked")
  private static MethodDescriptor<Message, Message> rpcOf(Hook hook) {
    return HookServiceGrpc.getServiceDescriptor().getMethods().stream()
        .filter(m -> m.getBareMethodName().equals(hook.rpcName()))
        .map(m -> (MethodDescriptor<Message, Message>) m)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no RPC " + hook.rpcName()));
  }

  /**
   * Starts answering on a thread of {@code calls}. The thread holds the call's place in the limits
   * of {@link CallLimiter} until the answer is done, even when the caller gives up first.
   */
  private void handOver(Hook hook, Message request, Message response, StreamObserver<Message> out) {
    // Set by the CallLimiter that GrpcServer.services puts in front of every hook call.
    CallLimiter.Place held = CallLimiter.PLACE.get();
    Runnable answer =
        () -> {
          try {
            answer(hook, request, response, out);
          } catch (RuntimeException | Error e) {
            // answer() turns every failure it expects into a status. Anything else would leave
            // CCX waiting for an answer: it gets UNKNOWN, as gRPC answers a handler that throws.
            log.error("{}: unexpected failure while answering", hook.rpcName(), e);
            failQuietly(out, Status.UNKNOWN.withDescription("internal error"));
            if (e instanceof Error error) {
              throw error;
            }
          } finally {
            held.release();
          }
        };
    held.hold();
    try {
      calls.execute(
          Context.current().wrap(io.opentelemetry.context.Context.current().wrap(answer)));
    } catch (RuntimeException | Error e) {
      held.release();
      failQuietly(
          out,
          Status.UNAVAILABLE.withDescription(
              e instanceof RejectedExecutionException
                  ? "the relay is stopping; retry"
                  : "the relay cannot take the call now; retry"));
      if (e instanceof Error error) {
        throw error;
      }
    }
  }

  /** Ends the call with {@code status}, unless it was answered already. */
  private static void failQuietly(StreamObserver<Message> out, Status status) {
    try {
      out.onError(status.asRuntimeException());
    } catch (RuntimeException answeredAlready) {
      // Nothing more can be said to the caller.
    }
  }

  /**
   * Answers {@code request} of {@code hook} with {@code response} (the empty response of its RPC),
   * filled in with what the integrator or the relay decided, or with the status of what failed.
   */
  @SuppressWarnings("try") // the log fields are only closed, never read
  private void answer(Hook hook, Message request, Message response, StreamObserver<Message> out) {
    HookCall call = HookCall.of(hook, request);
    Message answer;
    try (LogFields fields = call.logFields()) {
      try {
        RequestValidator.check(call);
        answer =
            switch (hook.kind()) {
              case APPROVAL -> filled(response, approval(approve(call)));
              case NOTICE -> filled(response, Map.of("work_id", announce(call)));
              case POST -> {
                store(call);
                yield response;
              }
            };
      } catch (RuntimeException e) {
        // Within the log fields: the line logged about the failure carries the call's ids.
        out.onError(FailedCalls.status(call, e).asRuntimeException());
        return;
      }
    }
    // A pre-hook's work_id is the integrator's (or the relay's): known only now.
    String workId = HookCall.stringField(answer, "work_id");
    if (!workId.isEmpty()) {
      Span.current().setAttribute(HookTracing.WORK_ID, workId);
    }
    out.onNext(answer);
    out.onCompleted();
  }

  private Approval approve(HookCall call) {
    return preHooks.approve(call.hook(), call.clusterId(), call.request(), timeLeft());
  }

  private String announce(HookCall call) {
    return preHooks.announce(
        call.hook(), call.clusterId(), call.request(), call.withoutSessionId(), timeLeft());
  }

  /** Commits the post-hook's row; returning normally means it is stored. */
  private void store(HookCall call) {
    // The context of this call's span (the caller's, when the relay records no spans of its own):
    // every delivery of the row, whenever and wherever it happens, continues that trace.
    String traceparent = HookTracing.traceparentOf(io.opentelemetry.context.Context.current());
    outbox.store(
        NewHook.of(call.hook())
            .clusterId(call.clusterId())
            .workId(call.workId())
            .payload(HookJson.body(call.request()))
            .webhookId(WebhookIds.next())
            .traceparent(traceparent)
            .build());
  }

  /** The fields of a decision, by their names in the approval responses. */
  private static Map<String, Object> approval(Approval a) {
    return Map.of(
        "approved", a.approved(),
        "work_id", a.workId(),
        "reason", a.reason(),
        "user_id", a.userId(),
        "project_id", a.projectId(),
        "organisation_id", a.organisationId());
  }

  /**
   * {@code empty} with those of {@code values} its type has: PreCreateClusterResponse has the user,
   * project and organisation ids, PreAddNodeResponse has not.
   */
  private static Message filled(Message empty, Map<String, Object> values) {
    Message.Builder builder = empty.newBuilderForType();
    values.forEach(
        (name, value) -> {
          FieldDescriptor field = empty.getDescriptorForType().findFieldByName(name);
          if (field != null) {
            builder.setField(field, value);
          }
        });
    return builder.build();
  }

  private static Optional<Duration> timeLeft() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }
}
