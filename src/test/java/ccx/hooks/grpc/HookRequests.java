package ccx.hooks.grpc;

import ccx.hooks.core.Hook;
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
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.List;
import java.util.Map;

/**
 * One request of each RPC with every field set, and the JSON body DESIGN section 3 says the
 * integrator receives for it, written out by hand rather than printed by the code under test. The
 * request is read from its body with protobuf's own JSON parser, so the two cannot disagree; the
 * relay's printer (HookJson) is what the tests compare against the body.
 */
final class HookRequests {
  static final String CLUSTER = "c-1";

  static final String PRE_CREATE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "cluster_name": "orders", "datastore_type": "postgres",
       "cloud": "aws", "node_count": 3, "instance_type": "m5.large", "auth_id": "session-1"}
      """;

  static final PreCreateClusterRequest PRE_CREATE_CLUSTER =
      parse(PreCreateClusterRequest.newBuilder(), PRE_CREATE_CLUSTER_BODY).build();

  static final String POST_CREATE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "cluster_name": "orders", "datastore_type": "postgres",
       "cloud": "aws", "node_count": 3, "instance_type": "m5.large", "cluster_status": "ready",
       "node_ids": ["n-1", "n-2", "n-3"], "work_id": "w-create"}
      """;

  static final PostCreateClusterRequest POST_CREATE_CLUSTER =
      parse(PostCreateClusterRequest.newBuilder(), POST_CREATE_CLUSTER_BODY).build();

  static final String PRE_ADD_NODE_BODY =
      """
      {"cluster_id": "c-1", "cloud": "aws", "node_count": 2, "instance_type": "m5.xlarge",
       "auth_id": "session-2"}
      """;

  static final PreAddNodeRequest PRE_ADD_NODE =
      parse(PreAddNodeRequest.newBuilder(), PRE_ADD_NODE_BODY).build();

  static final String POST_ADD_NODE_BODY =
      """
      {"cluster_id": "c-1", "cloud": "aws", "node_count": 2, "instance_type": "m5.xlarge",
       "node_ids": ["n-4", "n-5"], "work_id": "w-add"}
      """;

  static final PostAddNodeRequest POST_ADD_NODE =
      parse(PostAddNodeRequest.newBuilder(), POST_ADD_NODE_BODY).build();

  static final String PRE_REMOVE_NODE_BODY =
      """
      {"cluster_id": "c-1", "node_id": "n-2", "auth_id": "session-3"}
      """;

  static final PreRemoveNodeRequest PRE_REMOVE_NODE =
      parse(PreRemoveNodeRequest.newBuilder(), PRE_REMOVE_NODE_BODY).build();

  static final String POST_REMOVE_NODE_BODY =
      """
      {"cluster_id": "c-1", "node_id": "n-2", "work_id": "w-remove"}
      """;

  static final PostRemoveNodeRequest POST_REMOVE_NODE =
      parse(PostRemoveNodeRequest.newBuilder(), POST_REMOVE_NODE_BODY).build();

  static final String PRE_DELETE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "auth_id": "session-4"}
      """;

  static final PreDeleteClusterRequest PRE_DELETE_CLUSTER =
      parse(PreDeleteClusterRequest.newBuilder(), PRE_DELETE_CLUSTER_BODY).build();

  static final String POST_DELETE_CLUSTER_BODY =
      """
      {"cluster_id": "c-1", "status": "deleted", "work_id": "w-delete"}
      """;

  static final PostDeleteClusterRequest POST_DELETE_CLUSTER =
      parse(PostDeleteClusterRequest.newBuilder(), POST_DELETE_CLUSTER_BODY).build();

  /** The eight, in the order of the service's methods. */
  static final List<Message> ALL =
      List.of(
          PRE_CREATE_CLUSTER,
          POST_CREATE_CLUSTER,
          PRE_ADD_NODE,
          POST_ADD_NODE,
          PRE_REMOVE_NODE,
          POST_REMOVE_NODE,
          PRE_DELETE_CLUSTER,
          POST_DELETE_CLUSTER);

  private static final Map<Hook, String> BODIES =
      Map.ofEntries(
          Map.entry(Hook.PRE_CREATE_CLUSTER, PRE_CREATE_CLUSTER_BODY),
          Map.entry(Hook.POST_CREATE_CLUSTER, POST_CREATE_CLUSTER_BODY),
          Map.entry(Hook.PRE_ADD_NODE, PRE_ADD_NODE_BODY),
          Map.entry(Hook.POST_ADD_NODE, POST_ADD_NODE_BODY),
          Map.entry(Hook.PRE_REMOVE_NODE, PRE_REMOVE_NODE_BODY),
          Map.entry(Hook.POST_REMOVE_NODE, POST_REMOVE_NODE_BODY),
          Map.entry(Hook.PRE_DELETE_CLUSTER, PRE_DELETE_CLUSTER_BODY),
          Map.entry(Hook.POST_DELETE_CLUSTER, POST_DELETE_CLUSTER_BODY));

  private HookRequests() {}

  /** The sample request of {@code hook}. */
  static Message request(Hook hook) {
    return ALL.stream()
        .filter(request -> AnyRpc.name(request).equals(hook.rpcName()))
        .findFirst()
        .orElseThrow();
  }

  /** The body the integrator must receive for {@link #request(Hook)}. */
  static String body(Hook hook) {
    return BODIES.get(hook);
  }

  /**
   * {@code builder} with {@code body} merged in as proto JSON: each sample request is written once,
   * as the body the integrator must receive for it.
   */
  static <B extends Message.Builder> B parse(B builder, String body) {
    try {
      JsonFormat.parser().merge(body, builder);
      return builder;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not proto JSON of " + builder.getDescriptorForType(), e);
    }
  }

  /** Parsed JSON, compared as values: key order and white space do not matter. */
  static JsonElement json(String text) {
    return JsonParser.parseString(text);
  }
}
