package ccx.hooks.grpc;

import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import ccx.hooks.v1.PreAddNodeResponse;
import ccx.hooks.v1.PreCreateClusterResponse;

/** The two hooks whose answer approves or rejects (PreCreateCluster, PreAddNode), called alike. */
enum ApprovalRpc {
  PRE_CREATE_CLUSTER("pre-create-cluster") {
    @Override
    Decision call(HookServiceBlockingStub stub) {
      PreCreateClusterResponse r = stub.preCreateCluster(HookRequests.PRE_CREATE_CLUSTER);
      return new Decision(r.getApproved(), r.getWorkId(), r.getReason());
    }
  },
  PRE_ADD_NODE("pre-add-node") {
    @Override
    Decision call(HookServiceBlockingStub stub) {
      PreAddNodeResponse r = stub.preAddNode(HookRequests.PRE_ADD_NODE);
      return new Decision(r.getApproved(), r.getWorkId(), r.getReason());
    }
  };

  /** The fields both responses share. */
  record Decision(boolean approved, String workId, String reason) {}

  /** The kebab-case hook name: the URL path and the start of every error description. */
  final String hook;

  ApprovalRpc(String hook) {
    this.hook = hook;
  }

  abstract Decision call(HookServiceBlockingStub stub);
}
