package ccx.hooks.wire;

import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import org.junit.jupiter.api.Test;

/** The one thread that ends every call to the integrator at its timeout. */
class CallDeadlinesTest {
  /** A call whose {@code cancel()} runs {@code onCancel}; nothing else of it is used. */
  private static Call call(Runnable onCancel) {
    return (Call)
        Proxy.newProxyInstance(
            Call.class.getClassLoader(),
            new Class<?>[] {Call.class},
            (proxy, method, args) -> {
              if (method.getName().equals("cancel")) {
                onCancel.run();
                return null;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void a_call_whose_cancel_throws_does_not_end_the_timeouts_of_the_calls_after_it() {
    CallDeadlines.Watch broken =
        CallDeadlines.watch(
            call(
                () -> {
                  throw new IllegalStateException("cancel failed");
                }),
            Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(5)).until(broken::expired);

    AtomicBoolean cancelled = new AtomicBoolean();
    CallDeadlines.watch(call(() -> cancelled.set(true)), Duration.ofMillis(1));

    await().atMost(Duration.ofSeconds(5)).untilTrue(cancelled);
  }
}
