package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.core.Hook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which calls hold slots, with the real slow-call watch and real time. */
class CallsOutTest {
  private static final int SLOTS = 4;
  private final Semaphore slots = new Semaphore(SLOTS);
  private final CallsOut calls = new CallsOut(SLOTS, slots, () -> {});

  @AfterEach
  void close() {
    calls.close();
  }

  /** Takes a slot and starts a call of {@code hook}, as DeliverySlots does; returns its end. */
  private Runnable call(Hook hook) {
    assertThat(slots.tryAcquire()).as("a free slot").isTrue();
    assertThat(calls.reserve(hook)).as("room for a call of " + hook).isTrue();
    return calls.start(hook);
  }

  @Test
  void a_hook_whose_calls_hold_every_slot_is_capped_but_not_saturated() {
    for (int i = 0; i < SLOTS; i++) {
      call(Hook.POST_ADD_NODE);
    }
    assertThat(calls.reserve(Hook.POST_ADD_NODE)).isFalse();
    // Quick calls: a slot free means one of them ended, so its rows may wait in the buffer.
    assertThat(calls.saturated()).isEmpty();
    assertThat(calls.reserve(Hook.POST_DELETE_CLUSTER)).isTrue();
  }

  @Test
  void slow_calls_give_up_their_slots_once_and_no_more_of_them_than_there_are_slots() {
    calls.watch();
    List<Runnable> hanging = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      hanging.add(call(Hook.POST_DELETE_CLUSTER));
    }
    assertThat(slots.availablePermits()).isZero();

    await().atMost(Duration.ofSeconds(5)).until(() -> slots.availablePermits() == SLOTS);
    assertThat(calls.saturated()).containsExactly(Hook.POST_DELETE_CLUSTER);

    // Other hooks take the slots; when they are slow too, they keep them: the relay never has
    // more than twice as many calls out as it has slots.
    List<Runnable> slowToo = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      slowToo.add(call(Hook.POST_ADD_NODE));
    }
    await().pollDelay(CallsOut.SLOW_CALL.multipliedBy(2)).until(() -> true);
    assertThat(slots.availablePermits()).isZero();

    // Answered at last: a call that gave its slot up frees none, one that kept it frees it (or
    // gives it up now that fewer are slow), and a second end changes nothing: every slot once.
    hanging.forEach(Runnable::run);
    assertThat(calls.saturated()).doesNotContain(Hook.POST_DELETE_CLUSTER);
    slowToo.forEach(Runnable::run);
    slowToo.forEach(Runnable::run);
    hanging.forEach(Runnable::run);
    assertThat(slots.availablePermits()).isEqualTo(SLOTS);
  }
}
