package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.Hook;
import org.junit.jupiter.api.Test;

/** A new hook is built by name; what has no default must be given. */
class NewHookTest {
  @Test
  void ids_not_given_are_empty_and_an_empty_traceparent_is_none() {
    NewHook hook =
        NewHook.of(Hook.POST_DELETE_CLUSTER)
            .payload("{}")
            .webhookId("msg_1")
            .traceparent("")
            .build();

    assertThat(hook.clusterId()).isEmpty();
    assertThat(hook.workId()).isEmpty();
    assertThat(hook.traceparent()).isNull();
  }

  @Test
  void a_hook_without_a_payload_or_a_webhook_id_is_refused_naming_it() {
    assertThatThrownBy(() -> NewHook.of(Hook.POST_ADD_NODE).webhookId("msg_1").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a new post-add-node hook needs a payload");
    assertThatThrownBy(() -> NewHook.of(Hook.POST_ADD_NODE).payload("{}").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a new post-add-node hook needs a webhookId");
  }
}
