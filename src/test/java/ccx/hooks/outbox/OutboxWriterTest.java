package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ccx.hooks.core.Hook;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.testing.OutboxDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxWriterTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private OutboxRepository outbox;

  @BeforeEach
  void emptyOutbox() {
    outbox = database.outbox();
  }

  private static NewHook hook(String cluster, String workId) {
    return NewHook.of(Hook.POST_ADD_NODE)
        .clusterId(cluster)
        .workId(workId)
        .payload("{}")
        .webhookId("msg_" + workId + "_" + System.nanoTime())
        .build();
  }

  private int rowsWithWorkId(String workId) {
    return database
        .dsl()
        .fetchCount(database.dsl().selectFrom("hook_outbox").where("work_id = ?", workId));
  }

  @Test
  void every_concurrent_call_returns_only_once_its_hook_is_committed() throws Exception {
    try (OutboxWriter writer = new OutboxWriter(outbox);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> calls = new ArrayList<>();
      // The checks take turns for a few connections: 2,000 at once would wait for the pool (and,
      // on a loaded machine, time out) rather than test the writer.
      Semaphore checks = new Semaphore(8);
      for (int i = 0; i < 2000; i++) {
        String workId = "w" + i;
        calls.add(
            callers.submit(
                () -> {
                  writer.store(hook("c" + (workId.hashCode() % 50), workId));
                  // Read on another connection: visible means committed.
                  checks.acquire();
                  try {
                    return rowsWithWorkId(workId) == 1;
                  } finally {
                    checks.release();
                  }
                }));
      }
      for (Future<Boolean> call : calls) {
        assertThat(call.get()).isTrue();
      }
    }
    assertThat(unfinished()).isEqualTo(2000L);
  }

  @Test
  void a_batch_waiting_for_its_cluster_does_not_hold_up_the_hooks_of_other_clusters()
      throws Exception {
    try (Connection completion = database.url().connect(Map.of());
        OutboxWriter writer = new OutboxWriter(outbox);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      completion.setAutoCommit(false);
      Future<?> held;
      try {
        // As a completion of c1 holds it: intake of c1 waits for that transaction to end.
        ClusterHeads.lock(completion, List.of("c1"));
        held = callers.submit(() -> writer.store(hook("c1", "held")));
        await().atMost(Duration.ofSeconds(10)).until(() -> lockWaiters(completion) == 1);

        callers.submit(() -> writer.store(hook("c2", "free"))).get(10, TimeUnit.SECONDS);
        assertThat(rowsWithWorkId("free")).isEqualTo(1);
        assertThat(held).isNotDone();
      } finally {
        completion.rollback();
      }
      held.get(10, TimeUnit.SECONDS);
    }
    assertThat(rowsWithWorkId("held")).isEqualTo(1);
  }

  private static int lockWaiters(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                // pg_locks shows every database's locks; other test classes run beside this one.
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database())")) {
      r.next();
      return r.getInt(1);
    }
  }

  @Test
  void a_hook_repeated_within_one_batch_is_stored_once() throws Exception {
    try (OutboxWriter writer = new OutboxWriter(outbox, 1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(callers.submit(() -> writer.store(hook("c1", "same"))));
      }
      for (Future<?> call : calls) {
        call.get();
      }
    }
    assertThat(rowsWithWorkId("same")).isEqualTo(1);
  }

  @Test
  void a_hook_the_database_refuses_fails_alone_and_not_the_batch_it_came_with() throws Exception {
    try (OutboxWriter writer = new OutboxWriter(outbox, 1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> good = new ArrayList<>();
      // jsonb refuses the escaped NUL character: this hook cannot be stored.
      NewHook bad =
          NewHook.of(Hook.POST_ADD_NODE)
              .clusterId("c1")
              .workId("bad")
              .payload("{\"x\":\"\\u0000\"}")
              .webhookId("msg_bad")
              .build();
      Future<?> refused = callers.submit(() -> writer.store(bad));
      for (int i = 0; i < 100; i++) {
        String workId = "good" + i;
        good.add(callers.submit(() -> writer.store(hook("c2", workId))));
      }
      for (Future<?> call : good) {
        call.get();
      }
      assertThatThrownBy(refused::get).hasCauseInstanceOf(OutboxUnavailableException.class);
    }
    assertThat(unfinished()).isEqualTo(100L);
  }

  @Test
  void every_caller_hears_of_a_failed_commit() {
    Database unreachable =
        Database.open(
            new DatabaseUrl(
                "jdbc:postgresql://127.0.0.1:1/none", Optional.empty(), Optional.empty()),
            2);
    try (OutboxWriter writer =
        new OutboxWriter(new OutboxRepository(unreachable.dsl(), DatabaseClock.system()))) {
      assertThatThrownBy(() -> writer.store(hook("c1", "w1")))
          .isInstanceOf(OutboxUnavailableException.class)
          .hasMessageContaining("Connection refused");
    } finally {
      unreachable.close();
    }
  }

  @Test
  void a_closed_writer_refuses_new_hooks() {
    OutboxWriter writer = new OutboxWriter(outbox);
    writer.close();
    assertThatThrownBy(() -> writer.store(hook("c1", "w1")))
        .isInstanceOf(OutboxUnavailableException.class);
    assertThat(rowsWithWorkId("w1")).isZero();
  }

  /** Stored and not yet delivered: heads (pending) and the rows queued behind them. */
  private long unfinished() {
    var counts = outbox.countByStatus();
    return counts.get(OutboxStatus.PENDING) + counts.get(OutboxStatus.QUEUED);
  }
}
