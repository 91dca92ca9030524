package ccx.hooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ccx.hooks.config.DeliverySettings;
import ccx.hooks.core.Hook;
import ccx.hooks.core.HookTimers;
import ccx.hooks.outbox.GroupCommit;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One delivery as the drainer's slots run it: a real outbox, a real HTTP integrator. */
class RowDeliveryTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @Test
  void a_delivery_interrupted_at_shutdown_on_its_last_allowed_attempt_is_due_again_not_failed()
      throws Exception {
    OutboxRepository outbox = database.outbox();
    outbox.enqueue(
        List.of(
            NewHook.of(Hook.POST_ADD_NODE)
                .clusterId("c1")
                .workId("w1")
                .payload("{\"cluster_id\":\"c1\"}")
                .webhookId("msg_w1")
                .build()));
    DeliverySettings settings =
        TestConfigs.deliveryWithRetry(Duration.ofSeconds(1), Duration.ofMinutes(10), 1);
    try (RecordingIntegrator integrator = new RecordingIntegrator();
        GroupCommit<OutboxRepository.Delivered, Boolean> completions =
            new GroupCommit<>("record the delivery", 1, 16, outbox::markDelivered)) {
      integrator.answer(
          (hook, before) ->
              new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
      RowDelivery delivery =
          new RowDelivery(
              outbox,
              integrator.client(),
              settings,
              new RetryPolicy(
                  settings.retryInitial(),
                  settings.retryMax(),
                  settings.maxAge(),
                  RandomGenerator.of("L64X128MixRandom")),
              new HookTimers(new SimpleMeterRegistry(), "ccx_hook_delivery", "deliveries"),
              completions);
      OutboxRow claimed = outbox.claim("relay-a", 1, Duration.ofMinutes(1)).get(0);
      assertThat(claimed.attempts()).as("the claim made its one allowed attempt").isEqualTo(1);

      Thread delivering = Thread.ofVirtual().start(() -> delivery.deliver(claimed, () -> {}));
      await().until(() -> integrator.received().size() == 1);
      delivering.interrupt();
      delivering.join(Duration.ofSeconds(10));

      // The relay stopped, the endpoint did not fail: the row waits for the next relay.
      OutboxRow after = outbox.find(claimed.id()).orElseThrow();
      assertThat(after.status()).isEqualTo(OutboxStatus.PENDING);
      assertThat(after.lockedBy()).isNull();
      assertThat(outbox.attempts(claimed.id())).hasSize(1);
    }
  }
}
