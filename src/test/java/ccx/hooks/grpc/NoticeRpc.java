package ccx.hooks.grpc;

import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;

/**
 * The two pre-hooks that cannot reject (PreRemoveNode, PreDeleteCluster), called alike, with the
 * body their queued copy must have: the request with an empty auth_id.
 */
enum NoticeRpc {
  PRE_REMOVE_NODE(
      "pre-remove-node",
      """
      {"cluster_id": "c-1", "node_id": "n-2", "auth_id": ""}
      """) {
    @Override
    String call(HookServiceBlockingStub stub) {
      return stub.preRemoveNode(HookRequests.PRE_REMOVE_NODE).getWorkId();
    }
  },
  PRE_DELETE_CLUSTER(
      "pre-delete-cluster",
      """
      {"cluster_id": "c-1", "auth_id": ""}
      """) {
    @Override
    String call(HookServiceBlockingStub stub) {
      return stub.preDeleteCluster(HookRequests.PRE_DELETE_CLUSTER).getWorkId();
    }
  };

  /** The kebab-case hook name: the URL path and the outbox's hook column. */
  final String hook;

  /** The payload of the queued copy. */
  final String storedBody;

  NoticeRpc(String hook, String storedBody) {
    this.hook = hook;
    this.storedBody = storedBody;
  }

  /** Calls the RPC and returns its work_id. */
  abstract String call(HookServiceBlockingStub stub);
}
