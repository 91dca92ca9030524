package ccx.hooks.mockhooks;

import ccx.hooks.core.Hook;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A stand-in integrator for trying the relay: prints each hook and answers 200, approving pre-hooks
 * with a fresh work_id. {@code --reject}, {@code --fail-rate} and {@code --delay} try the failure
 * paths; {@code --record} appends every hook to a file as one JSON line.
 */
public final class MockHooksServer implements AutoCloseable {
  private static final Gson GSON = new Gson();

  private final HttpServer server;
  private final ExecutorService executor;
  private final MockHooksOptions options;
  private final Writer recorder;

  private MockHooksServer(
      HttpServer server, ExecutorService executor, MockHooksOptions options, Writer recorder) {
    this.server = server;
    this.executor = executor;
    this.options = options;
    this.recorder = recorder;
  }

  private static Writer recorder(Path file) {
    try {
      return Files.newBufferedWriter(
          file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // NoSuchFileException's message is the path alone: say what could not be done, and why.
      throw new UncheckedIOException(
          "--record: cannot append to "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + (file.toString().equals(e.getMessage()) ? "" : ": " + e.getMessage())
              + ")",
          e);
    }
  }

  public static MockHooksServer start(MockHooksOptions options) {
    // First: a file it cannot open must leave no port bound.
    Writer recorder = options.record.isPresent() ? recorder(options.record.get()) : null;
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(options.host, options.port), 256);
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      MockHooksServer mock = new MockHooksServer(server, executor, options, recorder);
      server.createContext("/", mock::handle);
      server.setExecutor(executor);
      server.start();
      return mock;
    } catch (IOException e) {
      if (recorder != null) {
        try {
          recorder.close();
        } catch (IOException ignored) {
          // Nothing was written to it.
        }
      }
      throw new UncheckedIOException(
          "mock-hooks cannot listen on "
              + options.host
              + " port "
              + options.port
              + ": "
              + e.getMessage(),
          e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL to give the relay as {@code --hook-url}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String path = exchange.getRequestURI().getPath();
      Optional<Hook> hook = Hook.fromPath(path.substring(path.lastIndexOf('/') + 1));
      if (!options.delay.isZero() && ThreadLocalRandom.current().nextDouble() < options.slowRate) {
        sleep(options.delay);
      }
      int status;
      String answer;
      if (!"POST".equals(exchange.getRequestMethod())) {
        status = 405;
        answer = "{\"error\":\"hooks are POSTed\"}";
      } else if (hook.isEmpty()) {
        status = 404;
        answer = "{\"error\":\"no such hook: " + path.replace("\"", "") + "\"}";
      } else if (ThreadLocalRandom.current().nextDouble() < options.failRate) {
        status = 503;
        answer = "{\"error\":\"failing on purpose (mock-hooks --fail-rate)\"}";
      } else {
        status = 200;
        answer = answerTo(hook.get());
      }
      // Printed and recorded before the answer goes out: a relay sends a cluster's next hook only
      // after this answer, so the record's order is the order the hooks were accepted in.
      print(exchange, path, status, body);
      record(exchange, path, status, body);
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String answerTo(Hook hook) {
    JsonObject answer = new JsonObject();
    switch (hook.kind()) {
      case APPROVAL -> {
        answer.addProperty("approved", !options.reject);
        answer.addProperty("work_id", UUID.randomUUID().toString());
        if (options.reject) {
          answer.addProperty("reason", "rejected by mock-hooks --reject");
        }
      }
      case NOTICE -> answer.addProperty("work_id", UUID.randomUUID().toString());
      case POST -> {}
    }
    return answer.toString();
  }

  private void print(HttpExchange exchange, String path, int status, String body) {
    PrintStream out = options.out;
    if (out == null) {
      return;
    }
    String shown = masked(body);
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    synchronized (out) {
      out.println(
          Instant.now() + " POST " + path + " -> " + status + " webhook-id=" + id + " " + shown);
    }
  }

  private void record(HttpExchange exchange, String path, int status, String body)
      throws IOException {
    if (recorder == null) {
      return;
    }
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(), String.join(", ", values)));
    // The relay's bearer token, masked like the session id: a record is a file people share.
    headers.computeIfPresent(
        "authorization",
        (name, value) -> value.contains(" ") ? value.replaceFirst(" .*", " ***") : "***");
    JsonObject line = new JsonObject();
    line.addProperty("time", Instant.now().toString());
    line.addProperty("path", path);
    line.add("headers", GSON.toJsonTree(headers));
    line.addProperty("body", masked(body));
    line.addProperty("status", status);
    synchronized (recorder) {
      recorder.write(line + "\n");
      recorder.flush();
    }
  }

  /** The session id is the user's secret: shown and recorded masked, even by a test integrator. */
  static String masked(String body) {
    return body.replaceAll("(\"auth_id\"\\s*:\\s*\")(\\\\.|[^\"\\\\])+\"", "$1***\"");
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (recorder != null) {
      try {
        recorder.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
