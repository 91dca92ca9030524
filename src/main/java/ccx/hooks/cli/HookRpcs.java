package ccx.hooks.cli;

import ccx.hooks.core.Hook;
import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PostDeleteClusterRequest;
import ccx.hooks.v1.PostRemoveNodeRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.v1.PreDeleteClusterRequest;
import ccx.hooks.v1.PreRemoveNodeRequest;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;

/** Each hook's gRPC method and request type, for a client that picks the hook at run time. */
final class HookRpcs {
  private HookRpcs() {}

  static Message.Builder newRequest(Hook hook) {
    return switch (hook) {
      case PRE_CREATE_CLUSTER -> PreCreateClusterRequest.newBuilder();
      case POST_CREATE_CLUSTER -> PostCreateClusterRequest.newBuilder();
      case PRE_ADD_NODE -> PreAddNodeRequest.newBuilder();
      case POST_ADD_NODE -> PostAddNodeRequest.newBuilder();
      case PRE_REMOVE_NODE -> PreRemoveNodeRequest.newBuilder();
      case POST_REMOVE_NODE -> PostRemoveNodeRequest.newBuilder();
      case PRE_DELETE_CLUSTER -> PreDeleteClusterRequest.newBuilder();
      case POST_DELETE_CLUSTER -> PostDeleteClusterRequest.newBuilder();
    };
  }

  // Each descriptor's request and response types are the generated messages of its RPC; the
  // caller only ever passes the request built by newRequest(hook) for the same hook.
  @SuppressWarnings("unchecked")
  static MethodDescriptor<Message, Message> method(Hook hook) {
    MethodDescriptor<?, ?> method =
        switch (hook) {
          case PRE_CREATE_CLUSTER -> HookServiceGrpc.getPreCreateClusterMethod();
          case POST_CREATE_CLUSTER -> HookServiceGrpc.getPostCreateClusterMethod();
          case PRE_ADD_NODE -> HookServiceGrpc.getPreAddNodeMethod();
          case POST_ADD_NODE -> HookServiceGrpc.getPostAddNodeMethod();
          case PRE_REMOVE_NODE -> HookServiceGrpc.getPreRemoveNodeMethod();
          case POST_REMOVE_NODE -> HookServiceGrpc.getPostRemoveNodeMethod();
          case PRE_DELETE_CLUSTER -> HookServiceGrpc.getPreDeleteClusterMethod();
          case POST_DELETE_CLUSTER -> HookServiceGrpc.getPostDeleteClusterMethod();
        };
    return (MethodDescriptor<Message, Message>) method;
  }
}
