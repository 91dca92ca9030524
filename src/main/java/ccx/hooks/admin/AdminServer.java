package ccx.hooks.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /healthz} (the process is alive), {@code /readyz} (it can take calls: 503 with the reason
 * when not) and {@code /metrics} (Prometheus text), on {@code --admin-port}.
 */
public final class AdminServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param notReady why the relay is not ready, or empty when it is
   */
  public static AdminServer start(
      int port, PrometheusMeterRegistry registry, Supplier<Optional<String>> notReady) {
    // /readyz as a metric, so an alert can say which relay was not ready and for how long.
    Gauge.builder("ccx_hook_ready", notReady, r -> r.get().isEmpty() ? 1 : 0)
        .description("1 while /readyz answers 200, 0 while it answers 503")
        .strongReference(true)
        .register(registry);
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      server.createContext("/healthz", exchange -> send(exchange, 200, "text/plain", "ok\n"));
      server.createContext(
          "/readyz",
          exchange -> {
            Optional<String> reason = notReady.get();
            if (reason.isEmpty()) {
              send(exchange, 200, "text/plain", "ready\n");
            } else {
              send(exchange, 503, "text/plain", "not ready: " + reason.get() + "\n");
            }
          });
      server.createContext(
          "/metrics",
          exchange ->
              send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      server.setExecutor(executor);
      server.start();
      return new AdminServer(server, executor);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for admin HTTP on port " + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
