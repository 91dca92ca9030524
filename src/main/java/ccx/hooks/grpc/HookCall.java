package ccx.hooks.grpc;

import ccx.hooks.core.Hook;
import ccx.hooks.wire.HookTracing;
import ccx.hooks.wire.LogFields;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opentelemetry.api.trace.Span;

/**
 * One hook RPC's request, with the ids read from it: the eight request types differ only in which
 * fields they have, so they are read by field name, once, here.
 *
 * @param clusterId the request's cluster_id
 * @param workId the request's work_id; "" for the pre-hooks, which have none
 */
record HookCall(Hook hook, Message request, String clusterId, String workId) {
  static HookCall of(Hook hook, Message request) {
    return new HookCall(
        hook, request, stringField(request, "cluster_id"), stringField(request, "work_id"));
  }

  /**
   * The hook, cluster_id and work_id, for every line logged while the call is answered, and on the
   * call's span. Never auth_id: it is the user's session.
   */
  LogFields logFields() {
    Span span = Span.current();
    span.setAttribute(HookTracing.HOOK, hook.path());
    span.setAttribute(HookTracing.CLUSTER_ID, clusterId);
    if (!workId.isEmpty()) {
      span.setAttribute(HookTracing.WORK_ID, workId);
    }
    return LogFields.of(hook, clusterId, workId);
  }

  /** The call as a log line names it: {@code post-add-node for cluster 'c1', work_id 'w-1'}. */
  String describe() {
    return hook.path()
        + " for cluster '"
        + clusterId
        + "'"
        + (workId.isEmpty() ? "" : ", work_id '" + workId + "'");
  }

  /** The request's node_count, or 0 when its type has none. */
  int nodeCount() {
    FieldDescriptor field = request.getDescriptorForType().findFieldByName("node_count");
    return field == null ? 0 : (Integer) request.getField(field);
  }

  /** The request as it may be stored: without auth_id, the user's session. */
  Message withoutSessionId() {
    FieldDescriptor field = request.getDescriptorForType().findFieldByName("auth_id");
    return field == null ? request : request.toBuilder().clearField(field).build();
  }

  /** A string field of {@code message}, or "" when its type has none. */
  static String stringField(Message message, String name) {
    FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
    return field == null ? "" : (String) message.getField(field);
  }
}
