package ccx.hooks.failover;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Polls one relay's {@code /readyz} every 100 ms, and keeps each change of answer: what an
 * orchestrator's readiness probe would have seen through the failover.
 */
final class ReadinessWatch implements AutoCloseable {
  /** One answer of {@code /readyz} from {@code nanoTime} on, until the next change. */
  record Answer(long nanoTime, int status, String body) {
    boolean ready() {
      return status == 200;
    }
  }

  private static final Duration EVERY = Duration.ofMillis(100);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final URI readyz;
  private final List<Answer> changes = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  ReadinessWatch(int adminPort) {
    this.readyz = URI.create("http://127.0.0.1:" + adminPort + "/readyz");
    this.thread = Thread.ofVirtual().name("readyz-" + adminPort).start(this::run);
  }

  private void run() {
    while (running) {
      Answer answer = ask();
      synchronized (changes) {
        Answer last = changes.isEmpty() ? null : changes.getLast();
        if (last == null
            || last.status() != answer.status()
            || !last.body().equals(answer.body())) {
          changes.add(answer);
        }
      }
      try {
        Thread.sleep(EVERY);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Answer ask() {
    long now = System.nanoTime();
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(now, response.statusCode(), response.body().strip());
    } catch (IOException e) {
      return new Answer(now, 0, "no answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
      return new Answer(now, 0, "interrupted");
    }
  }

  /** The latest answer; a 0 status until the first one. */
  Answer now() {
    synchronized (changes) {
      return changes.isEmpty() ? new Answer(System.nanoTime(), 0, "") : changes.getLast();
    }
  }

  /** Every answer that differed from the one before, in order. */
  List<Answer> changes() {
    synchronized (changes) {
      return List.copyOf(changes);
    }
  }

  /** How long it answered anything but ready after {@code since}, in seconds. */
  double notReadySecondsAfter(long since, long until) {
    List<Answer> all = changes();
    double total = 0;
    for (int i = 0; i < all.size(); i++) {
      Answer a = all.get(i);
      long start = Math.max(a.nanoTime(), since);
      long end = i + 1 < all.size() ? all.get(i + 1).nanoTime() : until;
      if (!a.ready() && end > start) {
        total += (Math.min(end, until) - start) / 1e9;
      }
    }
    return total;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
