package ccx.hooks.delivery;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.OutboxRow;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

/**
 * The one place that owns delivery slots. Claimed rows wait in a buffer for a free slot, so a slot
 * never waits for a claim query; a slot bounds requests to the integrator and is free again as soon
 * as the answer is in, while the outcome is still being committed with others. A row that waited
 * longer than the delivery timeout is given back instead of sent: its lease covers one such wait
 * and one delivery, no more.
 *
 * <p>One endpoint that hangs must not hold every slot until its calls time out: a call still
 * unanswered after {@link #SLOW_CALL} gives its slot up (it goes on until its answer or its
 * timeout), so the rows of other hooks keep going. No hook has more than as many calls out as there
 * are slots, so a hanging endpoint gets no more than that, however many slots it gave up.
 */
final class DeliverySlots {
  /** A row leased to this relay, and when (monotonic) it was claimed. */
  private record Claimed(OutboxRow row, long claimedNanos) {}

  /**
   * After this long unanswered a call gives up its slot. A healthy integrator answers well within
   * it (the bench's at p99 in 3 ms, the chaos run's slowest in 300 ms).
   */
  static final Duration SLOW_CALL = Duration.ofSeconds(1);

  /** A call to the integrator: whether it is still unanswered, and still holds a slot. */
  private record Call(int hook, long startNanos, AtomicBoolean out, AtomicBoolean holdsSlot) {}

  /** Delivers one row; runs {@code answered} once the integrator answered. */
  interface Delivery {
    void deliver(OutboxRow row, Runnable answered);
  }

  private final int concurrency;
  private final Duration longestWait;
  private final ExecutorService executor;
  private final Delivery delivery;
  private final Consumer<OutboxRow> giveBack;
  private final Runnable wake;
  private final Semaphore slots;
  private final Queue<Claimed> ready = new ConcurrentLinkedQueue<>();
  // Deliveries started and not yet recorded: what drainOnce waits for.
  private final AtomicInteger unrecorded = new AtomicInteger();
  // Calls out per hook, and those of them that gave up their slot (by ordinal; the last for a row
  // whose hook this relay does not know).
  private final AtomicIntegerArray callsOut = new AtomicIntegerArray(Hook.values().length + 1);
  private final AtomicIntegerArray slowCallsOut = new AtomicIntegerArray(Hook.values().length + 1);
  private final Set<Call> calls = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService slowCalls =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("delivery-slow-calls").daemon().factory());
  private volatile boolean open = true;

  DeliverySlots(
      int concurrency,
      Duration longestWait,
      ExecutorService executor,
      Delivery delivery,
      Consumer<OutboxRow> giveBack,
      Runnable wake) {
    this.concurrency = concurrency;
    this.longestWait = longestWait;
    this.executor = executor;
    this.delivery = delivery;
    this.giveBack = giveBack;
    this.wake = wake;
    this.slots = new Semaphore(concurrency);
    long every = SLOW_CALL.toMillis() / 4;
    slowCalls.scheduleWithFixedDelay(this::freeSlowSlots, every, every, TimeUnit.MILLISECONDS);
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
    startReady();
  }

  /** Sends buffered rows while slots are free. */
  private void startReady() {
    while (open && slots.tryAcquire()) {
      Claimed next = takeStartable();
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
        callsOut.decrementAndGet(indexOf(next.row().hook()));
        slots.release();
        ready.add(next);
        return;
      }
    }
    if (ready.size() <= concurrency / 2) {
      wake.run();
    }
  }

  /**
   * Takes the first buffered row whose hook has fewer calls out than there are slots, counting it
   * out; gives back on the way the rows that waited too long and those whose hook has all its calls
   * out (the claim leaves that hook's rows alone until a call of it ends). Null when none can go.
   */
  private Claimed takeStartable() {
    long now = System.nanoTime();
    for (Claimed next : ready) {
      if (now - next.claimedNanos() > longestWait.toNanos()) {
        if (ready.remove(next)) {
          giveBack.accept(next.row());
        }
        continue;
      }
      int hook = indexOf(next.row().hook());
      if (callsOut.incrementAndGet(hook) > concurrency) {
        // Its hook has every call it may have out: it would only wait here, holding up claims.
        callsOut.decrementAndGet(hook);
        if (ready.remove(next)) {
          giveBack.accept(next.row());
        }
        continue;
      }
      if (!ready.remove(next)) {
        callsOut.decrementAndGet(hook); // another thread took it
        continue;
      }
      return next;
    }
    return null;
  }

  private void deliverInSlot(OutboxRow row) {
    Call call =
        new Call(
            indexOf(row.hook()),
            System.nanoTime(),
            new AtomicBoolean(true),
            new AtomicBoolean(true));
    calls.add(call);
    Runnable answered =
        () -> {
          if (call.out().compareAndSet(true, false)) {
            calls.remove(call);
            callsOut.decrementAndGet(call.hook());
            if (call.holdsSlot().compareAndSet(true, false)) {
              slots.release();
            } else {
              slowCallsOut.decrementAndGet(call.hook());
            }
            startReady();
          }
        };
    try {
      delivery.deliver(row, answered);
    } finally {
      answered.run();
      unrecorded.decrementAndGet();
      // A recorded row may let the next row of its cluster go.
      wake.run();
    }
  }

  /** Calls unanswered after {@link #SLOW_CALL} give up their slots to the rows behind them. */
  private void freeSlowSlots() {
    long now = System.nanoTime();
    boolean freed = false;
    for (Call call : calls) {
      if (now - call.startNanos() > SLOW_CALL.toNanos()
          && call.holdsSlot().compareAndSet(true, false)) {
        slowCallsOut.incrementAndGet(call.hook());
        slots.release();
        freed = true;
      }
    }
    if (freed) {
      startReady();
    }
  }

  /**
   * The hooks with as many calls out as there are slots, some of them slow: claim none of their
   * rows now. (A hook whose calls all hold slots needs no such rule: a slot free means one of them
   * ended.)
   */
  Set<Hook> saturated() {
    Set<Hook> saturated = EnumSet.noneOf(Hook.class);
    for (Hook hook : Hook.values()) {
      if (callsOut.get(hook.ordinal()) >= concurrency && slowCallsOut.get(hook.ordinal()) > 0) {
        saturated.add(hook);
      }
    }
    return saturated;
  }

  private static int indexOf(Hook hook) {
    return hook == null ? Hook.values().length : hook.ordinal();
  }

  /** True when nothing is buffered and every delivery started has been recorded. */
  boolean idle() {
    return ready.isEmpty() && unrecorded.get() == 0;
  }

  /** Stops sending: what is buffered now or offered later is given back. */
  void close() {
    open = false;
    slowCalls.shutdownNow();
    giveBackBuffered();
  }

  /** Gives back the rows claimed but not yet sent: due again at once, for any relay. */
  void giveBackBuffered() {
    for (Claimed next = ready.poll(); next != null; next = ready.poll()) {
      giveBack.accept(next.row());
    }
  }
}
