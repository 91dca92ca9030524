package ccx.hooks.grpc;

import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PostCreateClusterRequest;
import ccx.hooks.v1.PostDeleteClusterRequest;
import ccx.hooks.v1.PostRemoveNodeRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.v1.PreDeleteClusterRequest;
import ccx.hooks.v1.PreRemoveNodeRequest;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * One request of each RPC with every field set, and the JSON body DESIGN section 3 says the
 * integrator receives for it, written out by hand rather than printed by the code under test.
 */
final class HookRequests {
  static final String CLUSTER = "c-1";

  static final PreCreateClusterRequest PRE_CREATE_CLUSTER =
      PreCreateClusterRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setClusterName("orders")
          .setDatastoreType("postgres")
          .setCloud("aws")
          .setNodeCount(3)
          .setInstanceType("m5.large")
          .setAuthId("session-1")
          .build();

  static final String PRE_CREATE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "cluster_name": "orders", "datastore_type": "postgres",
       "cloud": "aws", "node_count": 3, "instance_type": "m5.large", "auth_id": "session-1"}
      """;

  static final PostCreateClusterRequest POST_CREATE_CLUSTER =
      PostCreateClusterRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setClusterName("orders")
          .setDatastoreType("postgres")
          .setCloud("aws")
          .setNodeCount(3)
          .setInstanceType("m5.large")
          .setClusterStatus("ready")
          .addNodeIds("n-1")
          .addNodeIds("n-2")
          .addNodeIds("n-3")
          .setWorkId("w-create")
          .build();

  static final String POST_CREATE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "cluster_name": "orders", "datastore_type": "postgres",
       "cloud": "aws", "node_count": 3, "instance_type": "m5.large", "cluster_status": "ready",
       "node_ids": ["n-1", "n-2", "n-3"], "work_id": "w-create"}
      """;

  static final PreAddNodeRequest PRE_ADD_NODE =
      PreAddNodeRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setCloud("aws")
          .setNodeCount(2)
          .setInstanceType("m5.xlarge")
          .setAuthId("session-2")
          .build();

  static final String PRE_ADD_NODE_BODY =
      """
      {"cluster_id": "c-1", "cloud": "aws", "node_count": 2, "instance_type": "m5.xlarge",
       "auth_id": "session-2"}
      """;

  static final PostAddNodeRequest POST_ADD_NODE =
      PostAddNodeRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setCloud("aws")
          .setNodeCount(2)
          .setInstanceType("m5.xlarge")
          .addNodeIds("n-4")
          .addNodeIds("n-5")
          .setWorkId("w-add")
          .build();

  static final String POST_ADD_NODE_BODY =
      """
      {"cluster_id": "c-1", "cloud": "aws", "node_count": 2, "instance_type": "m5.xlarge",
       "node_ids": ["n-4", "n-5"], "work_id": "w-add"}
      """;

  static final PreRemoveNodeRequest PRE_REMOVE_NODE =
      PreRemoveNodeRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setNodeId("n-2")
          .setAuthId("session-3")
          .build();

  static final String PRE_REMOVE_NODE_BODY =
      """
      {"cluster_id": "c-1", "node_id": "n-2", "auth_id": "session-3"}
      """;

  static final PostRemoveNodeRequest POST_REMOVE_NODE =
      PostRemoveNodeRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setNodeId("n-2")
          .setWorkId("w-remove")
          .build();

  static final String POST_REMOVE_NODE_BODY =
      """
      {"cluster_id": "c-1", "node_id": "n-2", "work_id": "w-remove"}
      """;

  static final PreDeleteClusterRequest PRE_DELETE_CLUSTER =
      PreDeleteClusterRequest.newBuilder().setClusterId(CLUSTER).setAuthId("session-4").build();

  static final String PRE_DELETE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "auth_id": "session-4"}
      """;

  static final PostDeleteClusterRequest POST_DELETE_CLUSTER =
      PostDeleteClusterRequest.newBuilder()
          .setClusterId(CLUSTER)
          .setStatus("deleted")
          .setWorkId("w-delete")
          .build();

  static final String POST_DELETE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "status": "deleted", "work_id": "w-delete"}
      """;

  private HookRequests() {}

  /** Parsed JSON, compared as values: key order and white space do not matter. */
  static JsonElement json(String text) {
    return JsonParser.parseString(text);
  }
}
