package ccx.hooks.grpc;

import io.grpc.ManagedChannel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One server reflection stream, as a client such as grpcurl opens it. */
final class ReflectionStream {
  private ReflectionStream() {}

  /**
   * Sends {@code requests} on one stream; completes with the answers in order once the server ends
   * the stream, or exceptionally with the server's error.
   */
  static CompletableFuture<List<ServerReflectionResponse>> send(
      ManagedChannel channel, ServerReflectionRequest... requests) {
    CompletableFuture<List<ServerReflectionResponse>> done = new CompletableFuture<>();
    List<ServerReflectionResponse> answers = new ArrayList<>();
    StreamObserver<ServerReflectionRequest> out =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse answer) {
                    synchronized (answers) {
                      answers.add(answer);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    synchronized (answers) {
                      done.complete(List.copyOf(answers));
                    }
                  }
                });
    for (ServerReflectionRequest request : requests) {
      out.onNext(request);
    }
    out.onCompleted();
    return done;
  }
}
