package ccx.hooks.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fastest integrator the bench can offer: answers every hook at once (pre-hooks approved),
 * counts post-hooks, and notes when each work_id arrived, for end-to-end latency.
 */
final class BenchIntegrator implements AutoCloseable {
  private static final byte[] APPROVED =
      "{\"approved\":true,\"work_id\":\"bench\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final Pattern WORK_ID = Pattern.compile("\"work_id\":\\s*\"([^\"]*)\"");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong posts = new AtomicLong();
  private final AtomicLong firstPostNanos = new AtomicLong();
  private final AtomicLong lastPostNanos = new AtomicLong();
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private volatile boolean noteArrivals;
  // Post-hook counts whose arrival time is noted (ascending), and those times.
  private volatile long[] marks = new long[0];
  private volatile AtomicLongArray markedAt = new AtomicLongArray(0);

  BenchIntegrator() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      boolean pre = exchange.getRequestURI().getPath().contains("/pre-");
      if (!pre) {
        long now = System.nanoTime();
        long n = posts.incrementAndGet();
        if (n == 1) {
          firstPostNanos.set(now);
        }
        lastPostNanos.set(now);
        int mark = Arrays.binarySearch(marks, n);
        if (mark >= 0) {
          markedAt.set(mark, now);
        }
        if (noteArrivals) {
          Matcher m = WORK_ID.matcher(new String(body, StandardCharsets.UTF_8));
          if (m.find()) {
            arrivals.putIfAbsent(m.group(1), now);
          }
        }
      }
      byte[] answer = pre ? APPROVED : EMPTY;
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  /**
   * Starts counting post-hooks afresh, noting when the count reaches each of {@code marks}
   * (ascending).
   */
  void resetPosts(long... marks) {
    this.markedAt = new AtomicLongArray(marks.length);
    this.marks = marks.clone();
    posts.set(0);
  }

  /** When (monotonic nanoseconds) the count reached each mark; 0 for a mark not reached. */
  long[] markedNanos() {
    long[] at = new long[marks.length];
    for (int i = 0; i < at.length; i++) {
      at[i] = markedAt.get(i);
    }
    return at;
  }

  long firstPostNanos() {
    return firstPostNanos.get();
  }

  long posts() {
    return posts.get();
  }

  /** Seconds from the first to the last post-hook received since the last reset. */
  double postSpanSeconds() {
    return (lastPostNanos.get() - firstPostNanos.get()) / 1e9;
  }

  void noteArrivals(boolean note) {
    this.noteArrivals = note;
  }

  Long arrivalNanos(String workId) {
    return arrivals.get(workId);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
