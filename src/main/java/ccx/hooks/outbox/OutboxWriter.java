package ccx.hooks.outbox;

import ccx.hooks.RelayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Stores post-hooks, committing the hooks of concurrent calls together (group commit): each writer
 * takes every hook waiting, up to {@link #MAX_BATCH}, and stores them in one transaction; each
 * caller returns only after the transaction holding its hook has committed. Alone, a hook is
 * written at once; under load, one commit (one fsync) serves many calls, which is how intake runs
 * past the rate of single-row transactions.
 */
public final class OutboxWriter implements AutoCloseable {
  /** Most hooks per transaction: large enough to amortise a commit, small enough to stay short. */
  static final int MAX_BATCH = 256;

  /** Writers: enough to overlap one batch's commit with the next batch's insert. */
  static final int DEFAULT_WRITERS = 4;

  private record Pending(NewHook hook, CompletableFuture<Void> stored) {}

  /** Tells a writer to end, once the hooks queued before it are stored. */
  private static final Pending STOP = new Pending(null, null);

  private final OutboxRepository outbox;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean running = true;

  public OutboxWriter(OutboxRepository outbox) {
    this(outbox, DEFAULT_WRITERS);
  }

  OutboxWriter(OutboxRepository outbox, int writerCount) {
    this.outbox = outbox;
    for (int i = 0; i < writerCount; i++) {
      writers.add(Thread.ofPlatform().daemon().name("outbox-writer-" + i).start(this::write));
    }
  }

  /**
   * Stores {@code hook}, returning once it is committed. A hook whose {@code (hook, work_id)} is
   * already stored is not stored again, and returns normally.
   *
   * @throws OutboxUnavailableException when it was not committed
   */
  public void store(NewHook hook) {
    if (!running) {
      throw new OutboxUnavailableException("the relay is stopping; the hook was not stored", null);
    }
    CompletableFuture<Void> stored = new CompletableFuture<>();
    Pending pending = new Pending(hook, stored);
    queue.add(pending);
    if (!running && queue.remove(pending)) {
      // Closed meanwhile, and no writer took it: it may stand behind the writers' STOPs.
      throw new OutboxUnavailableException("the relay is stopping; the hook was not stored", null);
    }
    try {
      stored.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutboxUnavailableException("interrupted while storing the hook", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RelayException relay) {
        throw relay;
      }
      throw new OutboxUnavailableException(
          "the hook was not stored: " + RelayException.rootMessage(e), e);
    }
  }

  private void write() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      // close() queues one STOP per writer behind every hook already taken: store those, then end.
      int stops = (int) batch.stream().filter(p -> p == STOP).count();
      if (stops > 0) {
        batch.removeIf(p -> p == STOP);
        // Each writer needs a STOP of its own: give back the ones this drain took for others.
        for (int i = 1; i < stops; i++) {
          queue.add(STOP);
        }
        stop = true;
      }
      if (!batch.isEmpty()) {
        storeBatch(batch);
        batch.clear();
      }
    }
  }

  private void storeBatch(List<Pending> batch) {
    List<NewHook> hooks = new ArrayList<>(batch.size());
    batch.forEach(p -> hooks.add(p.hook()));
    try {
      outbox.enqueue(hooks);
      batch.forEach(p -> p.stored().complete(null));
    } catch (RuntimeException e) {
      batch.forEach(p -> p.stored().completeExceptionally(e));
    }
  }

  /** Stops taking hooks, and returns once every hook already taken is stored or refused. */
  @Override
  public void close() {
    running = false;
    for (int i = 0; i < writers.size(); i++) {
      queue.add(STOP);
    }
    for (Thread writer : writers) {
      try {
        writer.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
