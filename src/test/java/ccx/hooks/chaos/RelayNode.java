package ccx.hooks.chaos;

import ccx.hooks.cli.Main;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One relay of the chaos and failover runs: {@code serve} from the built jar, in a process that can
 * be killed.
 */
public final class RelayNode {
  private final Path jar;
  private final Path log;
  private final List<String> options;

  /** The relay's caller token, given to it by environment, as an orchestrator would. */
  private final String token = "chaos-" + java.util.UUID.randomUUID();

  private volatile Process process;
  private volatile ManagedChannel channel;
  private volatile int adminPort;

  public RelayNode(Path jar, Path log, List<String> options) {
    this.jar = jar;
    this.log = log;
    this.options = options;
  }

  /** Starts the relay on fresh ports; callers reach it through {@link #channel()} at once. */
  public synchronized void start() {
    int grpcPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(
        List.of(
            "-Xmx256m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            jar.toString(),
            Main.class.getName(),
            "serve"));
    command.addAll(
        List.of(
            "--grpc-port",
            Integer.toString(grpcPort),
            "--admin-port",
            Integer.toString(adminPort = freePort())));
    command.addAll(options);
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("CCX_HOOK_CLIENT_TOKEN", token);
      process =
          builder
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ManagedChannel old = channel;
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + grpcPort, InsecureChannelCredentials.create())
            .intercept(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
            .build();
    if (old != null) {
      old.shutdownNow();
    }
  }

  /** SIGKILL: no shutdown hook runs, leases stay held until they expire. */
  public synchronized void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, and a wait for the orderly stop. */
  public synchronized void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    channel.shutdownNow();
  }

  public ManagedChannel channel() {
    return channel;
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return headers;
  }

  /** Where its {@code /readyz} answers. */
  public int adminPort() {
    return adminPort;
  }

  /** The process running now: a relay that was never restarted keeps its first one. */
  public ProcessHandle process() {
    return process.toHandle();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
