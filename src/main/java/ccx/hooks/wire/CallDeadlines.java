package ccx.hooks.wire;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends calls to the integrator that outlive their timeout, with {@link Call#cancel()}, from one
 * thread that looks every {@link #TICK}. OkHttp's own per-call timeout does the same job through
 * okio's {@code AsyncTimeout}: a priority queue under one global lock that every call enters and
 * leaves. In a drain's profile that was the largest single item (18 % of the relay's CPU samples);
 * measured with the timeout set per call, set once per client (the same queue, the same cost) and
 * with none, the relay spent 39.8 s and 36.1 s of CPU on the same 100,000 deliveries. Here a call
 * costs an insert and a removal in a concurrent set, and the timeout is kept to within a tick.
 */
public final class CallDeadlines {
  private static final Logger log = LoggerFactory.getLogger(CallDeadlines.class);

  /**
   * How late a timeout may end a call: small next to the shortest call the relay makes (20 ms, with
   * a 50 ms margin before the caller's deadline: {@code PreHookClient}), and the watching thread
   * costs next to nothing at 100 looks a second.
   */
  static final Duration TICK = Duration.ofMillis(10);

  private static final CallDeadlines SHARED = new CallDeadlines();

  /** A call being watched; closing it ends the watch. */
  public static final class Watch implements AutoCloseable {
    private final Call call;
    private final long deadlineNanos;
    private final Set<Watch> watched;
    private volatile boolean expired;

    private Watch(Call call, long deadlineNanos, Set<Watch> watched) {
      this.call = call;
      this.deadlineNanos = deadlineNanos;
      this.watched = watched;
    }

    /** True when the call was cancelled because its timeout ran out. */
    public boolean expired() {
      return expired;
    }

    @Override
    public void close() {
      watched.remove(this);
    }
  }

  private final Set<Watch> watched = ConcurrentHashMap.newKeySet();

  private CallDeadlines() {
    Thread.ofPlatform().name("hook-call-deadlines").daemon().start(this::run);
  }

  /** Cancels {@code call} if it is still running {@code timeout} from now. */
  public static Watch watch(Call call, Duration timeout) {
    return SHARED.add(call, timeout);
  }

  private Watch add(Call call, Duration timeout) {
    Watch watch = new Watch(call, System.nanoTime() + timeout.toNanos(), watched);
    watched.add(watch);
    return watch;
  }

  private void run() {
    while (true) {
      LockSupport.parkNanos(TICK.toNanos());
      long now = System.nanoTime();
      for (Watch watch : watched) {
        if (now - watch.deadlineNanos >= 0) {
          watch.expired = true;
          watched.remove(watch);
          try {
            watch.call.cancel();
          } catch (RuntimeException e) {
            // This thread is every call's timeout: it must outlive any one cancellation.
            log.warn("Could not cancel a call to the integrator past its timeout", e);
          }
        }
      }
    }
  }
}
