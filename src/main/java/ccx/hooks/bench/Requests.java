package ccx.hooks.bench;

import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/** The calls the bench makes, spread over {@link #CLUSTERS} clusters, and the channel for them. */
final class Requests {
  static final int CLUSTERS = 1000;

  private Requests() {}

  static ManagedChannel channel(RelayProcess relay) {
    return Grpc.newChannelBuilder(
            "127.0.0.1:" + relay.grpcPort(), InsecureChannelCredentials.create())
        .build();
  }

  static PreAddNodeRequest preAddNode(long i) {
    return PreAddNodeRequest.newBuilder()
        .setClusterId("c" + (i % CLUSTERS))
        .setCloud("aws")
        .setNodeCount(1)
        .setInstanceType("m5.large")
        .setAuthId("bench-session")
        .build();
  }

  static PostAddNodeRequest postAddNode(String workId, long i) {
    return PostAddNodeRequest.newBuilder()
        .setClusterId("c" + (i % CLUSTERS))
        .setCloud("aws")
        .setNodeCount(1)
        .setInstanceType("m5.large")
        .addNodeIds("n" + i)
        .setWorkId(workId)
        .build();
  }
}
