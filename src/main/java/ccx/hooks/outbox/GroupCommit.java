package ccx.hooks.outbox;

import ccx.hooks.RelayException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Group commit: callers on many threads hand in one item each; each worker takes every item waiting
 * (up to a batch) and runs them through one transaction; each caller returns only once the
 * transaction holding its item has committed. Alone, an item goes at once; under load, one commit
 * (one fsync, one round trip) serves many callers.
 *
 * @param <T> what callers hand in
 * @param <R> what each learns back
 */
public final class GroupCommit<T, R> implements AutoCloseable {
  private record Pending<T, R>(T item, CompletableFuture<R> done) {}

  private final Pending<T, R> stop = new Pending<>(null, null);
  private final Function<List<T>, List<R>> work;
  private final int maxBatch;
  private final String what;
  private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param what what is committed, for error messages ("store the hook")
   * @param work runs one batch in one transaction, returning one result per item, in order
   */
  public GroupCommit(String what, int workerCount, int maxBatch, Function<List<T>, List<R>> work) {
    this.what = what;
    this.work = work;
    this.maxBatch = maxBatch;
    for (int i = 0; i < workerCount; i++) {
      workers.add(Thread.ofPlatform().daemon().name("group-commit-" + i).start(this::run));
    }
  }

  /**
   * Hands in {@code item} and waits for its batch to commit.
   *
   * @throws OutboxUnavailableException when the batch failed, or this is closed
   */
  public R submit(T item) {
    if (!running) {
      throw new OutboxUnavailableException("the relay is stopping: could not " + what, null);
    }
    Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
    queue.add(pending);
    if (!running && queue.remove(pending)) {
      // Closed meanwhile, and no worker took it: it may stand behind the workers' stops.
      throw new OutboxUnavailableException("the relay is stopping: could not " + what, null);
    }
    try {
      return pending.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutboxUnavailableException("interrupted: could not " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RelayException relay) {
        throw relay;
      }
      throw new OutboxUnavailableException(
          "could not " + what + ": " + RelayException.rootMessage(e), e);
    }
  }

  private void run() {
    List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
    boolean stopping = false;
    while (!stopping) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      queue.drainTo(batch, maxBatch - 1);
      int stops = (int) batch.stream().filter(p -> p == stop).count();
      if (stops > 0) {
        batch.removeIf(p -> p == stop);
        // Each worker needs a stop of its own: give back the ones this drain took for others.
        for (int i = 1; i < stops; i++) {
          queue.add(stop);
        }
        stopping = true;
      }
      if (!batch.isEmpty()) {
        commit(batch);
        batch.clear();
      }
    }
  }

  private void commit(List<Pending<T, R>> batch) {
    List<T> items = new ArrayList<>(batch.size());
    batch.forEach(p -> items.add(p.item()));
    try {
      List<R> results = work.apply(items);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(results.get(i));
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1 || unreachable(e)) {
        batch.forEach(p -> p.done().completeExceptionally(e));
        return;
      }
      // The database answered, but refused the batch: one bad item must not fail the others.
      for (Pending<T, R> p : batch) {
        try {
          p.done().complete(work.apply(List.of(p.item())).get(0));
        } catch (RuntimeException alone) {
          p.done().completeExceptionally(alone);
        }
      }
    }
  }

  /** The database could not be reached: every item alone would fail the same way, slowly. */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof java.net.SocketException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // 08: connection exception; 57: operator intervention (shutdown, cancel); 53: resources;
        // 25006: read-only, a standby (every item alone would be refused the same way).
        if (state.startsWith("08")
            || state.startsWith("57")
            || state.startsWith("53")
            || state.equals("25006")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Takes no more items, and returns once every item already handed in is committed or refused. */
  @Override
  public void close() {
    running = false;
    for (int i = 0; i < workers.size(); i++) {
      queue.add(stop);
    }
    for (Thread worker : workers) {
      try {
        worker.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
