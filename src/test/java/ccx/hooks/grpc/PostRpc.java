package ccx.hooks.grpc;

import ccx.hooks.core.Hook;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import com.google.gson.JsonObject;
import com.google.protobuf.Message;

/** The four post-hooks, called alike with a chosen work_id. */
enum PostRpc {
  POST_CREATE_CLUSTER(HookRequests.POST_CREATE_CLUSTER, HookRequests.POST_CREATE_CLUSTER_BODY),
  POST_ADD_NODE(HookRequests.POST_ADD_NODE, HookRequests.POST_ADD_NODE_BODY),
  POST_REMOVE_NODE(HookRequests.POST_REMOVE_NODE, HookRequests.POST_REMOVE_NODE_BODY),
  POST_DELETE_CLUSTER(HookRequests.POST_DELETE_CLUSTER, HookRequests.POST_DELETE_CLUSTER_BODY);

  /** The kebab-case hook name: the outbox's hook column. */
  final String hook;

  private final Message sample;
  private final String body;

  PostRpc(Message sample, String body) {
    this.hook = Hook.valueOf(name()).path();
    this.sample = sample;
    this.body = body;
  }

  /** Calls the RPC with the sample request of {@link HookRequests}, for cluster c-1. */
  void call(HookServiceBlockingStub stub, String workId) {
    call(stub, HookRequests.CLUSTER, workId);
  }

  void call(HookServiceBlockingStub stub, String clusterId, String workId) {
    AnyRpc.call(stub, AnyRpc.with(AnyRpc.with(sample, "cluster_id", clusterId), "work_id", workId));
  }

  /** The JSON body of the sample request with this work_id. */
  JsonObject body(String workId) {
    JsonObject json = HookRequests.json(body).getAsJsonObject();
    json.addProperty("work_id", workId);
    return json;
  }
}
