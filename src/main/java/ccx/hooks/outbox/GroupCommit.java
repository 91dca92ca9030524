package ccx.hooks.outbox;

import ccx.hooks.core.RelayException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Group commit: callers on many threads hand in one item each; each worker takes every item waiting
 * (up to a batch) and runs them through one transaction; each caller returns only once the
 * transaction holding its item has committed. Alone, an item goes at once; under load, one commit
 * (one fsync, one round trip) serves many callers.
 *
 * <p>The workers take turns: one takes items and commits them while the others wait, so the items
 * that arrive while a batch commits go together in the next one. Only when a batch has been
 * committing for longer than {@code stall} (it waits for a cluster's lock, say) do the other
 * workers go ahead beside it, so one stuck batch does not hold up the items behind it. With two
 * intake workers committing side by side, a batch held about 17 hooks instead of 28, and the relay
 * stored about a fifth fewer hooks a second (docs/BENCHMARKS.md, tenth session): on a busy machine
 * every transaction costs PostgreSQL about the same, however few rows it holds.
 *
 * <p>Everything is bounded: a batch holds at most {@code maxBatch} items and {@code maxBatchBytes}
 * bytes (an item larger than that goes alone), so one transaction stays short however large the
 * items; and at most {@code capacity} items wait, beyond which a caller waits for room.
 *
 * @param <T> what callers hand in
 * @param <R> what each learns back
 */
public final class GroupCommit<T, R> implements AutoCloseable {
  private record Pending<T, R>(T item, CompletableFuture<R> done) {}

  /**
   * Batches' worth of items that may wait per worker: enough that a worker always finds a full
   * batch while the one before commits, few enough to bound memory.
   */
  public static final int DEFAULT_BATCHES_WAITING = 2;

  /**
   * How long a batch may commit before the other workers stop waiting for their turn: far longer
   * than a batch takes (about 1.4 ms in the bench's intake load), far shorter than a caller's
   * patience.
   */
  public static final Duration DEFAULT_STALL = Duration.ofMillis(20);

  /**
   * How often an idle worker looks whether it should stop, should {@link #close()} find the queue
   * too full to hand it {@link #stop}.
   */
  private static final long IDLE_POLL_MILLIS = 100;

  private final Function<List<T>, List<R>> work;
  private final ToLongFunction<T> bytes;
  private final int maxBatch;
  private final long maxBatchBytes;
  private final String what;
  private final BlockingQueue<Pending<T, R>> queue;
  private final long stallNanos;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  /** Guards the turn: whether a worker has it, and since when its batch has been committing. */
  private final Object turn = new Object();

  private boolean turnTaken;
  private boolean committing;
  private long committingSince;

  /** Handed to each worker by {@link #close()}, behind every item: the worker stops at once. */
  private final Pending<T, R> stop = new Pending<>(null, null);

  /**
   * Batches bounded by count only, for items of a small, fixed size; at most {@code
   * DEFAULT_BATCHES_WAITING} batches' worth of items wait per worker.
   *
   * @param what what is committed, for error messages ("store the hook")
   * @param work runs one batch in one transaction, returning one result per item, in order
   */
  public GroupCommit(String what, int workerCount, int maxBatch, Function<List<T>, List<R>> work) {
    this(
        what,
        workerCount,
        maxBatch,
        Long.MAX_VALUE,
        item -> 0,
        maxBatch * workerCount * DEFAULT_BATCHES_WAITING,
        DEFAULT_STALL,
        work);
  }

  /**
   * @param what what is committed, for error messages ("store the hook")
   * @param bytes the size of an item, as it counts against {@code maxBatchBytes}
   * @param capacity the most items waiting for a worker
   * @param stall how long a batch may commit before the other workers go ahead beside it
   * @param work runs one batch in one transaction, returning one result per item, in order
   */
  public GroupCommit(
      String what,
      int workerCount,
      int maxBatch,
      long maxBatchBytes,
      ToLongFunction<T> bytes,
      int capacity,
      Duration stall,
      Function<List<T>, List<R>> work) {
    if (stall.isNegative()) {
      throw new IllegalArgumentException("stall must not be negative: " + stall);
    }
    this.what = what;
    this.stallNanos = stall.toNanos();
    this.work = work;
    this.bytes = bytes;
    this.maxBatch = maxBatch;
    this.maxBatchBytes = maxBatchBytes;
    this.queue = new ArrayBlockingQueue<>(capacity);
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
      throw OutboxUnavailableException.stopping("the relay is stopping: could not " + what, null);
    }
    Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
    try {
      queue.put(pending);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OutboxUnavailableException.stopping("interrupted: could not " + what, e);
    }
    if (!running && queue.remove(pending)) {
      // Closed meanwhile, and no worker took it: the workers may have stopped already.
      throw OutboxUnavailableException.stopping("the relay is stopping: could not " + what, null);
    }
    try {
      return pending.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // A worker may have taken the item: its batch may still commit, unseen by this caller.
      throw OutboxUnavailableException.stopping(
          "interrupted while waiting for the commit: could not confirm that it could " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RelayException relay) {
        throw relay;
      }
      throw OutboxUnavailableException.database(
          "could not " + what + ": " + RelayException.rootMessage(e), e);
    }
  }

  /**
   * Items handed in that no worker has taken yet (after {@link #close()}, with its stops): for
   * tests.
   */
  int waiting() {
    return queue.size();
  }

  private void run() {
    List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
    while (true) {
      boolean ownTurn;
      try {
        ownTurn = awaitTurn();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Pending<T, R> next;
        try {
          next = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (next == null || next == stop) {
          if (!running) {
            // Stopped and nothing waits: submit() refuses what comes after this.
            return;
          }
          continue;
        }
        // An item taken that did not fit a batch opens the next one, in the same turn: a worker
        // never waits for a turn holding an item.
        while (next != null && next != stop) {
          if (ownTurn) {
            startCommitting();
          }
          next = fillAndCommit(batch, next);
        }
        if (next == stop) {
          return;
        }
      } finally {
        if (ownTurn) {
          endTurn();
        }
      }
    }
  }

  /**
   * Adds to {@code first} every item waiting that fits, commits them, and returns the item taken
   * that did not fit (it opens the next batch), {@link #stop} when it was taken, or null.
   */
  private Pending<T, R> fillAndCommit(List<Pending<T, R>> batch, Pending<T, R> first) {
    Pending<T, R> next = first;
    long batchBytes = 0;
    while (true) {
      long size = sizeOf(next);
      if (size >= 0) {
        if (!batch.isEmpty() && batchBytes + size > maxBatchBytes) {
          break;
        }
        batch.add(next);
        batchBytes += size;
      }
      if (batch.size() == maxBatch) {
        next = null;
        break;
      }
      next = queue.poll();
      if (next == null || next == stop) {
        break;
      }
    }
    if (!batch.isEmpty()) {
      commit(batch);
      batch.clear();
    }
    return next;
  }

  /** The size of an item, or -1 when it cannot be read: that item fails alone, and no batch. */
  private long sizeOf(Pending<T, R> pending) {
    try {
      return bytes.applyAsLong(pending.item());
    } catch (Throwable e) {
      pending.done().completeExceptionally(e);
      return -1;
    }
  }

  /**
   * Waits for this worker's turn and returns true; or returns false, without it, once the worker
   * whose turn it is has been committing one batch for longer than the stall: that batch is
   * waiting, and the workers waiting go ahead beside it.
   */
  private boolean awaitTurn() throws InterruptedException {
    synchronized (turn) {
      while (turnTaken) {
        if (!committing) {
          // The worker whose turn it is waits for items: it takes the next one.
          turn.wait();
          continue;
        }
        long left = committingSince + stallNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(turn, left);
      }
      turnTaken = true;
      return true;
    }
  }

  private void startCommitting() {
    synchronized (turn) {
      committing = true;
      committingSince = System.nanoTime();
      // Those waiting now wait at most until the stall.
      turn.notifyAll();
    }
  }

  private void endTurn() {
    synchronized (turn) {
      turnTaken = false;
      committing = false;
      turn.notifyAll();
    }
  }

  /**
   * Runs one batch and tells each caller its outcome. Whatever the batch function throws, the
   * worker lives on and every caller of the batch learns: a worker that died would leave them
   * waiting for ever, and every caller after them.
   */
  private void commit(List<Pending<T, R>> batch) {
    List<T> items = new ArrayList<>(batch.size());
    batch.forEach(p -> items.add(p.item()));
    List<R> results;
    try {
      results = work.apply(items);
    } catch (RuntimeException e) {
      if (batch.size() == 1 || unreachable(e)) {
        batch.forEach(p -> p.done().completeExceptionally(e));
      } else {
        commitEachAlone(batch);
      }
      return;
    } catch (Throwable e) {
      // An Error: no telling what the batch did, so nothing is tried again.
      batch.forEach(p -> p.done().completeExceptionally(e));
      return;
    }
    if (results == null || results.size() != batch.size()) {
      // The batch ran, so it is not tried again; but which result is whose is unknown.
      IllegalStateException wrong =
          new IllegalStateException(
              "the batch gave "
                  + (results == null ? "no" : results.size())
                  + " results for a batch of "
                  + batch.size());
      batch.forEach(p -> p.done().completeExceptionally(wrong));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(results.get(i));
    }
  }

  /** The database answered, but refused the batch: one bad item must not fail the others. */
  private void commitEachAlone(List<Pending<T, R>> batch) {
    for (Pending<T, R> p : batch) {
      try {
        p.done().complete(work.apply(List.of(p.item())).get(0));
      } catch (Throwable alone) {
        p.done().completeExceptionally(alone);
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
      // Not put: a full queue means busy workers, and they look again within IDLE_POLL_MILLIS.
      queue.offer(stop);
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
