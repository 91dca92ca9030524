package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.testing.OutboxDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A hook call that cannot get a thread of its own is answered at once, and nothing happens. */
class HandOverTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @Test
  void a_relay_that_is_stopping_answers_unavailable_and_neither_stores_nor_calls_the_integrator()
      throws Exception {
    ExecutorService stopped = Executors.newVirtualThreadPerTaskExecutor();
    stopped.shutdown();
    try (MockWebServer integrator = new MockWebServer();
        InProcessRelay relay =
            InProcessRelay.start(database.outbox(), integratorUrl(integrator), stopped)) {
      StatusRuntimeException post =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> PostRpc.POST_ADD_NODE.call(relay.stub(), "w-1"));
      StatusRuntimeException pre =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> relay.stub().preAddNode(HookRequests.PRE_ADD_NODE));

      for (StatusRuntimeException e : new StatusRuntimeException[] {post, pre}) {
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).isEqualTo("the relay is stopping; retry");
      }
      assertThat(OutboxTable.rows(database)).isEmpty();
      assertThat(integrator.getRequestCount()).isZero();
    }
  }

  private static okhttp3.HttpUrl integratorUrl(MockWebServer integrator) throws Exception {
    integrator.start();
    return integrator.url("/");
  }
}
