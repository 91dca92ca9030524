package ccx.hooks.delivery;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.OutboxRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that owns delivery slots. Claimed rows wait in a buffer for a free slot, so a slot
 * never waits for a claim query; a slot bounds requests to the integrator and is free again as soon
 * as the answer is in, while the outcome is still being committed with others. A row that waited
 * longer than the delivery timeout is given back instead of sent: its lease covers one such wait
 * and one delivery, no more. A call that is slow gives its slot up, so that one endpoint that hangs
 * cannot hold them all: {@link CallsOut}.
 */
final class DeliverySlots {
  private static final Logger log = LoggerFactory.getLogger(DeliverySlots.class);

  /** A row leased to this relay, and when (monotonic) it was claimed. */
  private record Claimed(OutboxRow row, long claimedNanos) {}

  /** What becomes of a buffered row: it is delivered, or given back unsent. */
  interface Delivery {
    /** Delivers {@code row}; runs {@code answered} once the integrator answered. */
    void deliver(OutboxRow row, Runnable answered);

    /** Gives {@code row} back unsent: due again at once, for any relay. */
    void giveBack(OutboxRow row);
  }

  private final int concurrency;
  private final Duration longestWait;
  private final ExecutorService executor;
  private final Delivery delivery;
  private final Runnable wake;
  private final Semaphore slots;
  private final Queue<Claimed> ready = new ConcurrentLinkedQueue<>();
  // Deliveries started and not yet recorded: what drainOnce waits for.
  private final AtomicInteger unrecorded = new AtomicInteger();
  private final CallsOut calls;
  private volatile boolean open = true;

  DeliverySlots(
      int concurrency,
      Duration longestWait,
      ExecutorService executor,
      Delivery delivery,
      Runnable wake) {
    this.concurrency = concurrency;
    this.longestWait = longestWait;
    this.executor = executor;
    this.delivery = delivery;
    this.wake = wake;
    this.slots = new Semaphore(concurrency);
    this.calls = new CallsOut(concurrency, slots, this::startBuffered);
  }

  /** Starts giving the slots of slow calls to the rows behind them (a started drainer does). */
  void watchSlowCalls() {
    calls.watch();
  }

  /**
   * How many rows to claim now: none while the buffer is more than half full, so that claims come
   * in batches, else enough to fill it.
   */
  int claimable() {
    int buffered = ready.size();
    return buffered > concurrency / 2 ? 0 : concurrency - buffered;
  }

  /** Buffers freshly claimed rows and starts as many as slots allow. */
  void offer(List<OutboxRow> rows) {
    long now = System.nanoTime();
    rows.forEach(row -> ready.add(new Claimed(row, now)));
    if (!open) {
      giveBackBuffered(); // closed while the claim ran: these rows go back too
    }
    // Not startBuffered(): the loop that offers has just claimed, and decides itself when to
    // claim again. Woken by its own claim, an idle relay claimed every few milliseconds.
    startAndGiveBack();
  }

  /**
   * Sends buffered rows while slots are free; wakes the drainer's loop when the buffer is half
   * empty, so that it claims more. For the threads that free slots, and the loop's own turn when
   * the buffer was full enough.
   */
  void startBuffered() {
    startAndGiveBack();
    if (ready.size() <= concurrency / 2) {
      wake.run();
    }
  }

  private void startAndGiveBack() {
    List<OutboxRow> toGiveBack = new ArrayList<>();
    while (open && slots.tryAcquire()) {
      Claimed next = takeStartable(toGiveBack);
      if (next == null) {
        slots.release();
        break;
      }
      unrecorded.incrementAndGet();
      try {
        executor.submit(() -> deliverInSlot(next.row()));
      } catch (RejectedExecutionException stopping) {
        // Shutting down: the row goes back to the buffer and is given back with the others.
        unrecorded.decrementAndGet();
        calls.unreserve(next.row().hook());
        slots.release();
        ready.add(next);
        break;
      }
    }
    toGiveBack.forEach(delivery::giveBack);
  }

  /**
   * Takes the first buffered row whose hook has fewer calls out than there are slots, counting it
   * out. On the way it takes out, into {@code toGiveBack}, the rows that waited too long, and those
   * of a hook with many slow calls (they would only wait here; the claim leaves that hook alone
   * meanwhile). Rows of a hook with all its calls out, quick ones, stay: one of those calls ends
   * soon and starts the next. Null when no row can go now.
   */
  private Claimed takeStartable(List<OutboxRow> toGiveBack) {
    long now = System.nanoTime();
    for (Claimed next : ready) {
      Hook hook = next.row().hook();
      boolean waitedTooLong = now - next.claimedNanos() > longestWait.toNanos();
      if (waitedTooLong || calls.saturated(hook)) {
        if (ready.remove(next)) {
          toGiveBack.add(next.row());
        }
        continue;
      }
      if (!calls.reserve(hook)) {
        // Its hook has every call out. Quick calls end within milliseconds and start it; if it
        // still waits after a slow call's time, they are stuck without giving up their slots.
        if (now - next.claimedNanos() > CallsOut.SLOW_CALL.toNanos() && ready.remove(next)) {
          toGiveBack.add(next.row());
        }
        continue;
      }
      if (!ready.remove(next)) {
        calls.unreserve(hook); // another thread took it
        continue;
      }
      return next;
    }
    return null;
  }

  private void deliverInSlot(OutboxRow row) {
    Runnable answered = calls.start(row.hook());
    try {
      delivery.deliver(row, answered);
    } catch (RuntimeException e) {
      // Not the call's outcome (the delivery records that): the relay failed around it. Logged
      // here, where it would otherwise vanish into the executor's future.
      log.error("{}: unexpected error; it is due again when its lease expires", row.describe(), e);
    } finally {
      answered.run();
      unrecorded.decrementAndGet();
      // A recorded row may let the next row of its cluster go.
      wake.run();
    }
  }

  /** The hooks whose rows are not to be claimed now: those of an endpoint that hangs. */
  Set<Hook> saturated() {
    return calls.saturated();
  }

  /** True when nothing is buffered and every delivery started has been recorded. */
  boolean idle() {
    return ready.isEmpty() && unrecorded.get() == 0;
  }

  /** Stops sending: what is buffered now or offered later is given back. */
  void close() {
    open = false;
    calls.close();
    giveBackBuffered();
  }

  /** Gives back the rows claimed but not yet sent: due again at once, for any relay. */
  void giveBackBuffered() {
    for (Claimed next = ready.poll(); next != null; next = ready.poll()) {
      delivery.giveBack(next.row());
    }
  }
}
