package ccx.hooks.bench;

import ccx.hooks.core.RelayException;
import ccx.hooks.db.DatabaseUrl;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A relay ({@code serve}) in a child process, so that its memory and CPU are its own: started from
 * this very jar, ready once {@code /readyz} says so, stopped with SIGTERM.
 */
final class RelayProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final int grpcPort;
  private final int adminPort;
  private final HttpClient admin =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private long peakRssKb;

  private RelayProcess(Process process, int grpcPort, int adminPort) {
    this.process = process;
    this.grpcPort = grpcPort;
    this.adminPort = adminPort;
  }

  /**
   * @param jvmOptions options for the relay's JVM, e.g. {@code -Xmx256m}
   * @param relayOptions options of {@code serve} beyond the URLs and ports
   */
  static RelayProcess start(
      RelayLauncher launcher,
      String hookUrl,
      DatabaseUrl database,
      Path log,
      List<String> jvmOptions,
      List<String> relayOptions) {
    int grpcPort = freePort();
    int adminPort = freePort();
    List<String> command = new ArrayList<>(launcher.command(jvmOptions));
    command.add("serve");
    command.addAll(List.of("--hook-url", hookUrl));
    command.addAll(
        List.of(
            "--grpc-port",
            Integer.toString(grpcPort),
            "--admin-port",
            Integer.toString(adminPort)));
    command.addAll(relayOptions);
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command);
      // In the environment, not the arguments: a password there would show in process lists.
      builder.environment().put("CCX_HOOK_DATABASE_URL", withCredentials(database));
      // Callers are authenticated as in production, so the bench measures the token check too.
      builder.environment().put("CCX_HOOK_CLIENT_TOKEN", CLIENT_TOKEN);
      Process process =
          builder
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      RelayProcess relay = new RelayProcess(process, grpcPort, adminPort);
      try {
        relay.awaitReady(log);
      } catch (RuntimeException e) {
        relay.close();
        throw e;
      }
      return relay;
    } catch (IOException e) {
      throw new RelayException("cannot start the relay: " + e.getMessage(), e);
    }
  }

  /** The token callers of the bench's relays send. */
  static final String CLIENT_TOKEN = "bench-" + java.util.UUID.randomUUID();

  int grpcPort() {
    return grpcPort;
  }

  /** The relay's {@code /metrics}, in the Prometheus text format. */
  String metrics() {
    try {
      HttpResponse<String> response =
          admin.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new RelayException("the relay's /metrics answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new RelayException("cannot read the relay's /metrics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayException("interrupted while reading the relay's /metrics", e);
    }
  }

  private void awaitReady(Path log) {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new RelayException(
            "the relay exited with " + process.exitValue() + " while starting; see " + log);
      }
      try {
        HttpResponse<Void> response =
            admin.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RelayException("interrupted while waiting for the relay", e);
      }
      sleep(Duration.ofMillis(200));
    }
    throw new RelayException(
        "the relay was not ready within " + READY_TIMEOUT.toSeconds() + "s; see " + log);
  }

  /**
   * Milliseconds the relay's JIT has spent compiling so far ({@code
   * jvm_compilation_time_seconds_total}), or zero where its JVM does not say.
   */
  long compilationMillis() {
    return Math.round(
        metrics()
                .lines()
                .filter(line -> line.startsWith("jvm_compilation_time_seconds_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum()
            * 1000);
  }

  /** CPU time the relay's process has used so far, or zero where the platform does not say. */
  Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Reads the process's peak resident memory so far (VmHWM, Linux); keeps the highest seen. */
  long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | NumberFormatException notLinuxOrGone) {
      // Keep what was read before.
    }
    return Math.round(peakRssKb / 1024.0);
  }

  /** SIGTERM, and a wait for the orderly stop. */
  @Override
  public void close() {
    admin.close();
    peakRssMb();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static String withCredentials(DatabaseUrl url) {
    List<String> parameters = new ArrayList<>();
    url.user()
        .ifPresent(u -> parameters.add("user=" + URLEncoder.encode(u, StandardCharsets.UTF_8)));
    url.password()
        .ifPresent(p -> parameters.add("password=" + URLEncoder.encode(p, StandardCharsets.UTF_8)));
    if (parameters.isEmpty()) {
      return url.jdbcUrl();
    }
    return url.jdbcUrl() + (url.jdbcUrl().contains("?") ? "&" : "?") + String.join("&", parameters);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new RelayException("no free port: " + e.getMessage(), e);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
