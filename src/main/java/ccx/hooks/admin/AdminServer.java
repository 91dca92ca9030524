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
   * @param address where to listen; port 0 picks a free one
   * @param notReady why the relay is not ready, or empty when it is. Anyone who reaches the port
   *     reads it: it must name no host, user or driver message (the log has those)
   */
  public static AdminServer start(
      InetSocketAddress address,
      PrometheusMeterRegistry registry,
      Supplier<Optional<String>> notReady) {
    // /readyz as a metric, so an alert can say which relay was not ready and for how long.
    Gauge.builder("ccx_hook_ready", notReady, r -> r.get().isEmpty() ? 1 : 0)
        .description("1 while /readyz answers 200, 0 while it answers 503")
        .strongReference(true)
        .register(registry);
    try {
      HttpServer server = HttpServer.create(address, 64);
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      server.createContext(
          "/healthz",
          exchange -> {
            if (readOnly(exchange)) {
              send(exchange, 200, "text/plain", "ok\n");
            }
          });
      server.createContext(
          "/readyz",
          exchange -> {
            if (!readOnly(exchange)) {
              return;
            }
            Optional<String> reason = notReady.get();
            if (reason.isEmpty()) {
              send(exchange, 200, "text/plain", "ready\n");
            } else {
              send(exchange, 503, "text/plain", "not ready: " + reason.get() + "\n");
            }
          });
      server.createContext(
          "/metrics",
          exchange -> {
            if (readOnly(exchange)) {
              send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            }
          });
      server.setExecutor(executor);
      server.start();
      return new AdminServer(server, executor);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for admin HTTP on " + address + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Where it listens. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /**
   * The admin port only reads: anything but GET is answered 405, so nothing reachable there can
   * change the relay.
   */
  private static boolean readOnly(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (method.equals("GET")) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", "GET");
    send(exchange, 405, "text/plain", "method not allowed: the admin port is read-only\n");
    return false;
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
