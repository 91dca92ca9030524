package ccx.hooks.grpc;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxUnavailableException;
import ccx.hooks.outbox.OutboxWriter;
import ccx.hooks.prehook.DeadlineTooShortException;
import ccx.hooks.prehook.PreHookException;
import ccx.hooks.prehook.PreHookRelay;
import ccx.hooks.prehook.PreHookRelay.Approval;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PostAddNodeResponse;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PostCreateClusterResponse;
import ccx.hooks.v1.PostDeleteClusterRequest;
import ccx.hooks.v1.PostDeleteClusterResponse;
import ccx.hooks.v1.PostRemoveNodeRequest;
import ccx.hooks.v1.PostRemoveNodeResponse;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreAddNodeResponse;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.v1.PreCreateClusterResponse;
import ccx.hooks.v1.PreDeleteClusterRequest;
import ccx.hooks.v1.PreDeleteClusterResponse;
import ccx.hooks.v1.PreRemoveNodeRequest;
import ccx.hooks.v1.PreRemoveNodeResponse;
import ccx.hooks.wire.HookJson;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.LogFields;
import ccx.hooks.wire.WebhookIds;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eight RPCs. Pre-hooks are relayed synchronously; post-hooks are answered only once their
 * outbox row is committed. Errors become gRPC statuses here, at the boundary, with a description
 * and never a stack trace.
 */
final class HookGrpcService extends HookServiceGrpc.HookServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(HookGrpcService.class);
  private static final ThrottledLog unavailable = new ThrottledLog(HookGrpcService.class);

  private final PreHookRelay preHooks;
  private final OutboxWriter outbox;

  HookGrpcService(PreHookRelay preHooks, OutboxWriter outbox) {
    this.preHooks = preHooks;
    this.outbox = outbox;
  }

  @Override
  public void preCreateCluster(
      PreCreateClusterRequest request, StreamObserver<PreCreateClusterResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.clusterId(request.getClusterId());
          RequestValidator.nodeCount(request.getNodeCount());
          Approval a =
              preHooks.approve(
                  Hook.PRE_CREATE_CLUSTER, request.getClusterId(), request, timeLeft());
          return PreCreateClusterResponse.newBuilder()
              .setApproved(a.approved())
              .setWorkId(a.workId())
              .setUserId(a.userId())
              .setProjectId(a.projectId())
              .setOrganisationId(a.organisationId())
              .setReason(a.reason())
              .build();
        });
  }

  @Override
  public void preAddNode(PreAddNodeRequest request, StreamObserver<PreAddNodeResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.clusterId(request.getClusterId());
          RequestValidator.nodeCount(request.getNodeCount());
          Approval a =
              preHooks.approve(Hook.PRE_ADD_NODE, request.getClusterId(), request, timeLeft());
          return PreAddNodeResponse.newBuilder()
              .setApproved(a.approved())
              .setWorkId(a.workId())
              .setReason(a.reason())
              .build();
        });
  }

  @Override
  public void preRemoveNode(
      PreRemoveNodeRequest request, StreamObserver<PreRemoveNodeResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.clusterId(request.getClusterId());
          PreRemoveNodeRequest stored = request.toBuilder().clearAuthId().build();
          String workId =
              preHooks.announce(
                  Hook.PRE_REMOVE_NODE, request.getClusterId(), request, stored, timeLeft());
          return PreRemoveNodeResponse.newBuilder().setWorkId(workId).build();
        });
  }

  @Override
  public void preDeleteCluster(
      PreDeleteClusterRequest request, StreamObserver<PreDeleteClusterResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.clusterId(request.getClusterId());
          PreDeleteClusterRequest stored = request.toBuilder().clearAuthId().build();
          String workId =
              preHooks.announce(
                  Hook.PRE_DELETE_CLUSTER, request.getClusterId(), request, stored, timeLeft());
          return PreDeleteClusterResponse.newBuilder().setWorkId(workId).build();
        });
  }

  @Override
  public void postCreateCluster(
      PostCreateClusterRequest request, StreamObserver<PostCreateClusterResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.nodeCount(request.getNodeCount());
          store(Hook.POST_CREATE_CLUSTER, request.getClusterId(), request.getWorkId(), request);
          return PostCreateClusterResponse.getDefaultInstance();
        });
  }

  @Override
  public void postAddNode(PostAddNodeRequest request, StreamObserver<PostAddNodeResponse> out) {
    respond(
        request,
        out,
        () -> {
          RequestValidator.nodeCount(request.getNodeCount());
          store(Hook.POST_ADD_NODE, request.getClusterId(), request.getWorkId(), request);
          return PostAddNodeResponse.getDefaultInstance();
        });
  }

  @Override
  public void postRemoveNode(
      PostRemoveNodeRequest request, StreamObserver<PostRemoveNodeResponse> out) {
    respond(
        request,
        out,
        () -> {
          store(Hook.POST_REMOVE_NODE, request.getClusterId(), request.getWorkId(), request);
          return PostRemoveNodeResponse.getDefaultInstance();
        });
  }

  @Override
  public void postDeleteCluster(
      PostDeleteClusterRequest request, StreamObserver<PostDeleteClusterResponse> out) {
    respond(
        request,
        out,
        () -> {
          store(Hook.POST_DELETE_CLUSTER, request.getClusterId(), request.getWorkId(), request);
          return PostDeleteClusterResponse.getDefaultInstance();
        });
  }

  /** Commits the post-hook's row; returning normally means it is stored. */
  private void store(Hook hook, String clusterId, String workId, MessageOrBuilder request) {
    RequestValidator.clusterId(clusterId);
    RequestValidator.workId(workId);
    // The context of this call's span (the caller's, when the relay records no spans of its own):
    // every delivery of the row, whenever and wherever it happens, continues that trace.
    String traceparent = HookTracing.traceparentOf(io.opentelemetry.context.Context.current());
    outbox.store(
        new NewHook(
            hook, workId, clusterId, HookJson.body(request), WebhookIds.next(), traceparent));
  }

  /**
   * The hook, cluster_id and work_id of a request, for every line logged while it is answered, and
   * on the call's span. Never auth_id: it is the user's session.
   */
  private static LogFields logFields(Message request) {
    Descriptors.Descriptor type = request.getDescriptorForType();
    String rpc = type.getName().replaceFirst("Request$", "");
    Hook hook =
        Arrays.stream(Hook.values()).filter(h -> h.rpcName().equals(rpc)).findFirst().orElse(null);
    String clusterId = stringField(request, "cluster_id");
    String workId = stringField(request, "work_id");
    Span span = Span.current();
    if (hook != null) {
      span.setAttribute(HookTracing.HOOK, hook.path());
    }
    span.setAttribute(HookTracing.CLUSTER_ID, clusterId);
    if (!workId.isEmpty()) {
      span.setAttribute(HookTracing.WORK_ID, workId);
    }
    return LogFields.of(hook, clusterId, workId);
  }

  private static String stringField(Message request, String name) {
    Descriptors.FieldDescriptor field = request.getDescriptorForType().findFieldByName(name);
    return field == null ? "" : String.valueOf(request.getField(field));
  }

  private static Optional<Duration> timeLeft() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  @SuppressWarnings("try") // the log fields are only closed, never read
  private static <T> void respond(Message request, StreamObserver<T> out, Supplier<T> call) {
    T response;
    try (LogFields fields = logFields(request)) {
      RequestValidator.fields(request);
      response = call.get();
    } catch (InvalidRequestException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (DeadlineTooShortException e) {
      out.onError(Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (PreHookException e) {
      // PreHookRelay has logged the cause in full.
      out.onError(Status.UNAVAILABLE.withDescription(CallerMessages.of(e)).asRuntimeException());
      return;
    } catch (OutboxUnavailableException e) {
      unavailable.warn("Answered UNAVAILABLE: " + e.getMessage());
      out.onError(Status.UNAVAILABLE.withDescription(CallerMessages.of(e)).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      log.error("Unexpected error answering a hook call", e);
      out.onError(
          Status.INTERNAL
              .withDescription("internal error in ccx-hook-service; see its log")
              .asRuntimeException());
      return;
    }
    if (response instanceof Message answer) {
      // A pre-hook's work_id is the integrator's (or the relay's): known only now.
      String workId = stringField(answer, "work_id");
      if (!workId.isEmpty()) {
        Span.current().setAttribute(HookTracing.WORK_ID, workId);
      }
    }
    out.onNext(response);
    out.onCompleted();
  }
}
