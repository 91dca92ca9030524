package ccx.hooks.delivery;

import ccx.hooks.core.Hook;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliveries out to the integrator, per hook, and which of them are slow. One endpoint that
 * hangs must not hold every delivery slot until its calls time out: a call still unanswered after
 * {@link #SLOW_CALL} gives its slot up (it goes on until its answer or its timeout), so the rows of
 * other hooks keep going. No hook has more calls out than there are slots, and no more calls than
 * there are slots give theirs up, so one relay never has more than twice {@code
 * --drain-concurrency} calls out.
 */
final class CallsOut {
  private static final Logger log = LoggerFactory.getLogger(CallsOut.class);

  /**
   * After this long unanswered a call gives up its slot. A healthy integrator answers well within
   * it (the bench's at p99 in 3 ms, the chaos run's slowest in 300 ms).
   */
  static final Duration SLOW_CALL = Duration.ofSeconds(1);

  /** A call: whether it is still unanswered, and whether it still holds a slot. */
  private record Call(int hook, long startNanos, AtomicBoolean out, AtomicBoolean holdsSlot) {}

  private final int limit;
  private final Semaphore slots;
  private final Runnable slotFreed;
  // By hook ordinal; the last index for a row whose hook this relay does not know.
  private final AtomicIntegerArray out = new AtomicIntegerArray(Hook.values().length + 1);
  private final AtomicIntegerArray slowOut = new AtomicIntegerArray(Hook.values().length + 1);
  private final AtomicInteger slowTotal = new AtomicInteger();
  private final Set<Call> calls = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService watch;
  private boolean closed;

  /**
   * @param slots the slots the calls hold; one is released when its call is answered or is slow
   * @param slotFreed runs after a slot was released (to start what waits for it)
   */
  CallsOut(int limit, Semaphore slots, Runnable slotFreed) {
    this.limit = limit;
    this.slots = slots;
    this.slotFreed = slotFreed;
  }

  /** Counts a call of {@code hook} out, unless it already has as many out as there are slots. */
  boolean reserve(Hook hook) {
    int index = indexOf(hook);
    if (out.incrementAndGet(index) > limit) {
      out.decrementAndGet(index);
      return false;
    }
    return true;
  }

  /** Takes back a {@link #reserve} whose call was not made. */
  void unreserve(Hook hook) {
    out.decrementAndGet(indexOf(hook));
  }

  /**
   * Starts a reserved call that holds one of the slots; returns what ends it, once, when it is
   * answered (later runs do nothing): it frees the call's slot, unless the call gave it up already.
   */
  Runnable start(Hook hook) {
    Call call =
        new Call(
            indexOf(hook), System.nanoTime(), new AtomicBoolean(true), new AtomicBoolean(true));
    calls.add(call);
    return () -> {
      if (call.out().compareAndSet(true, false)) {
        calls.remove(call);
        out.decrementAndGet(call.hook());
        if (call.holdsSlot().compareAndSet(true, false)) {
          slots.release();
        } else {
          slowOut.decrementAndGet(call.hook());
          slowTotal.decrementAndGet();
        }
        slotFreed.run();
      }
    };
  }

  /**
   * Whether rows of {@code hook} should wait elsewhere than in the buffer: half the calls it may
   * have out are slow, as with an endpoint that hangs. (Calls that all hold slots need no such
   * rule: a slot free means one of them ended.)
   */
  boolean saturated(Hook hook) {
    return limit > 0 && slowOut.get(indexOf(hook)) * 2 >= limit;
  }

  /** The hooks whose rows are not to be claimed now: see {@link #saturated(Hook)}. */
  Set<Hook> saturated() {
    Set<Hook> saturated = EnumSet.noneOf(Hook.class);
    for (Hook hook : Hook.values()) {
      if (saturated(hook)) {
        saturated.add(hook);
      }
    }
    return saturated;
  }

  /** Looks for slow calls four times per {@link #SLOW_CALL}, until {@link #close()}. */
  synchronized void watch() {
    if (watch == null && !closed) {
      watch =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("delivery-slow-calls").daemon().factory());
      long every = SLOW_CALL.toMillis() / 4;
      watch.scheduleWithFixedDelay(this::freeSlowSlots, every, every, TimeUnit.MILLISECONDS);
    }
  }

  synchronized void close() {
    closed = true;
    if (watch != null) {
      watch.shutdown();
    }
  }

  /** Calls unanswered after {@link #SLOW_CALL} give up their slots, while too few have. */
  private void freeSlowSlots() {
    try {
      long now = System.nanoTime();
      boolean freed = false;
      for (Call call : calls) {
        if (now - call.startNanos() <= SLOW_CALL.toNanos() || !call.holdsSlot().get()) {
          continue;
        }
        if (slowTotal.incrementAndGet() > limit || !call.holdsSlot().compareAndSet(true, false)) {
          slowTotal.decrementAndGet();
          continue;
        }
        slowOut.incrementAndGet(call.hook());
        slots.release();
        freed = true;
      }
      if (freed) {
        slotFreed.run();
      }
    } catch (RuntimeException e) {
      // The watch goes on: the next round tries again.
      log.warn("Could not free the slots of slow deliveries", e);
    }
  }

  private static int indexOf(Hook hook) {
    return hook == null ? Hook.values().length : hook.ordinal();
  }
}
