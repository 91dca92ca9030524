package ccx.hooks.testing;

import ccx.hooks.v1.PostAddNodeRequest;

/** Requests that tests of a whole relay send, when what they hold does not matter. */
public final class TestRequests {
  private TestRequests() {}

  /** A post-add-node of one node to {@code clusterId}, reporting the work {@code workId}. */
  public static PostAddNodeRequest postAddNode(String clusterId, String workId) {
    return PostAddNodeRequest.newBuilder()
        .setClusterId(clusterId)
        .setNodeCount(1)
        .setWorkId(workId)
        .build();
  }
}
