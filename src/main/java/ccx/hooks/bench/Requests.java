package ccx.hooks.bench;

import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PreAddNodeRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** The calls the bench makes, spread over {@link #CLUSTERS} clusters, and the channel for them. */
final class Requests {
  static final int CLUSTERS = 1000;

  private Requests() {}

  /** A channel to the relay that carries the relay's caller token on every call. */
  static ManagedChannel channel(RelayProcess relay) {
    Metadata bearer = new Metadata();
    bearer.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + RelayProcess.CLIENT_TOKEN);
    return Grpc.newChannelBuilder(
            "127.0.0.1:" + relay.grpcPort(), InsecureChannelCredentials.create())
        .intercept(MetadataUtils.newAttachHeadersInterceptor(bearer))
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
