package ccx.hooks.grpc;

import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import com.google.gson.JsonObject;

/** The four post-hooks, called alike with a chosen work_id. */
enum PostRpc {
  POST_CREATE_CLUSTER("post-create-cluster", HookRequests.POST_CREATE_CLUSTER_BODY) {
    @Override
    void call(HookServiceBlockingStub stub, String clusterId, String workId) {
      stub.postCreateCluster(
          HookRequests.POST_CREATE_CLUSTER.toBuilder()
              .setClusterId(clusterId)
              .setWorkId(workId)
              .build());
    }
  },
  POST_ADD_NODE("post-add-node", HookRequests.POST_ADD_NODE_BODY) {
    @Override
    void call(HookServiceBlockingStub stub, String clusterId, String workId) {
      stub.postAddNode(
          HookRequests.POST_ADD_NODE.toBuilder().setClusterId(clusterId).setWorkId(workId).build());
    }
  },
  POST_REMOVE_NODE("post-remove-node", HookRequests.POST_REMOVE_NODE_BODY) {
    @Override
    void call(HookServiceBlockingStub stub, String clusterId, String workId) {
      stub.postRemoveNode(
          HookRequests.POST_REMOVE_NODE.toBuilder()
              .setClusterId(clusterId)
              .setWorkId(workId)
              .build());
    }
  },
  POST_DELETE_CLUSTER("post-delete-cluster", HookRequests.POST_DELETE_CLUSTER_BODY) {
    @Override
    void call(HookServiceBlockingStub stub, String clusterId, String workId) {
      stub.postDeleteCluster(
          HookRequests.POST_DELETE_CLUSTER.toBuilder()
              .setClusterId(clusterId)
              .setWorkId(workId)
              .build());
    }
  };

  /** The kebab-case hook name: the outbox's hook column. */
  final String hook;

  private final String body;

  PostRpc(String hook, String body) {
    this.hook = hook;
    this.body = body;
  }

  /** Calls the RPC with the sample request of {@link HookRequests}, for cluster c-1. */
  void call(HookServiceBlockingStub stub, String workId) {
    call(stub, HookRequests.CLUSTER, workId);
  }

  abstract void call(HookServiceBlockingStub stub, String clusterId, String workId);

  /** The JSON body of the sample request with this work_id. */
  JsonObject body(String workId) {
    JsonObject json = HookRequests.json(body).getAsJsonObject();
    json.addProperty("work_id", workId);
    return json;
  }
}
