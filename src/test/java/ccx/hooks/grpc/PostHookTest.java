package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.PreHookSettings;
import ccx.hooks.testing.OutboxDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Post-hooks and the outbox (DESIGN section 5): answered OK only once the row is committed, and
 * idempotent on (hook, work_id). Rows are read with SQL the moment the call returns, with no
 * waiting: a row committed after the answer would be missing.
 */
class PostHookTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @RegisterExtension
  final IntegratorAndRelay fixture =
      IntegratorAndRelay.on(database).startedBeforeEach(PreHookSettings.defaults());

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void the_row_is_committed_before_the_rpc_returns(PostRpc rpc) {
    rpc.call(fixture.stub(), "w-1");

    List<OutboxTable.Row> rows = OutboxTable.rows(database);
    assertThat(rows).hasSize(1);
    OutboxTable.Row row = rows.getFirst();
    assertThat(row.hook()).isEqualTo(rpc.hook);
    assertThat(row.workId()).isEqualTo("w-1");
    assertThat(row.clusterId()).isEqualTo(HookRequests.CLUSTER);
    assertThat(row.payload()).isEqualTo(rpc.body("w-1"));
    assertThat(row.webhookId()).startsWith("msg_");
    assertThat(row.status()).isEqualTo("pending");
    assertThat(fixture.integrator().getRequestCount()).as("requests sent during the call").isZero();
  }

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void a_repeated_post_hook_with_the_same_hook_and_work_id_answers_ok_and_stores_nothing_new(
      PostRpc rpc) {
    rpc.call(fixture.stub(), "w-1");
    rpc.call(fixture.stub(), "w-1");
    rpc.call(fixture.stub(), "c-other", "w-1");

    List<OutboxTable.Row> rows = OutboxTable.rows(database);
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst().clusterId()).as("the first call's row").isEqualTo("c-1");
  }

  @Test
  void one_work_id_is_stored_once_for_each_post_hook() {
    for (PostRpc rpc : PostRpc.values()) {
      rpc.call(fixture.stub(), "w-shared");
      rpc.call(fixture.stub(), "w-shared");
    }

    assertThat(OutboxTable.rows(database))
        .extracting(OutboxTable.Row::hook)
        .containsExactly(
            "post-create-cluster", "post-add-node", "post-remove-node", "post-delete-cluster");
  }

  @ParameterizedTest
  @EnumSource(PostRpc.class)
  void with_an_empty_work_id_each_call_stores_a_row(PostRpc rpc) {
    rpc.call(fixture.stub(), "");
    rpc.call(fixture.stub(), "");

    List<OutboxTable.Row> rows = OutboxTable.rows(database);
    assertThat(rows).hasSize(2);
    assertThat(rows).allSatisfy(row -> assertThat(row.workId()).isEmpty());
    assertThat(rows).allSatisfy(row -> assertThat(row.payload()).isEqualTo(rpc.body("")));
    assertThat(rows.get(0).webhookId()).isNotEqualTo(rows.get(1).webhookId());
  }
}
