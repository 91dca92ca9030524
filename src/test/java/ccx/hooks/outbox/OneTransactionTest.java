package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ccx.hooks.core.Hook;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Intake and the completion of deliveries each send several statements at once, to run as one
 * transaction ({@link Statements#inOneTransaction}). Each test runs with the driver's defaults,
 * with {@code preferQueryMode=simple} (the driver then sends the statements one by one), and with
 * {@code prepareThreshold=-1} (the driver may then send a Sync between them).
 */
class OneTransactionTest {
  private static final Map<String, Database> databases = new HashMap<>();

  /** A migrated database whose URL carries {@code setting}, emptied for each test. */
  private static Database database(String setting) {
    Database database =
        databases.computeIfAbsent(
            setting,
            s -> {
              DatabaseUrl url = TestDatabase.createDatabase();
              if (!s.isEmpty()) {
                String separator = url.jdbcUrl().contains("?") ? "&" : "?";
                url = new DatabaseUrl(url.jdbcUrl() + separator + s, url.user(), url.password());
              }
              Database opened = Database.open(url, 4);
              opened.migrate();
              return opened;
            });
    database.dsl().execute("TRUNCATE hook_outbox, hook_delivery_attempt");
    return database;
  }

  @AfterAll
  static void close() {
    databases.values().forEach(Database::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "preferQueryMode=simple", "prepareThreshold=-1"})
  void intake_holds_its_clusters_lock_until_its_rows_are_committed(String setting)
      throws Exception {
    Database database = database(setting);
    OutboxRepository outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
    try (Connection other = database.url().connect(Map.of());
        Connection probe = database.url().connect(Map.of());
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      other.setAutoCommit(false);
      Future<Integer> stored;
      try {
        // An uncommitted row with the same key: intake's INSERT waits for this transaction.
        try (PreparedStatement s =
            other.prepareStatement(
                "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status)"
                    + " VALUES (?, 'w1', 'c9', '{}', 'msg_other', 'queued')")) {
          s.setString(1, Hook.POST_ADD_NODE.path());
          s.execute();
        }
        stored = callers.submit(() -> outbox.enqueue(List.of(hook("c9", "w1"))));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> locks(probe, "locktype = 'transactionid' AND NOT granted") == 1);

        // Mid-INSERT, intake still holds c9 shared: no completion of c9 can finish its head now.
        assertThat(locks(probe, "locktype = 'advisory' AND granted AND mode = 'ShareLock'"))
            .isEqualTo(1);
        assertThat(tryLock(probe, "c9")).isFalse();
      } finally {
        other.rollback();
      }
      assertThat(stored.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "preferQueryMode=simple", "prepareThreshold=-1"})
  void intake_sees_a_head_finished_while_it_waited_for_the_clusters_lock(String setting)
      throws Exception {
    Database database = database(setting);
    OutboxRepository outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
    outbox.enqueue(List.of(hook("c1", "w1")));
    OutboxRow head = outbox.claim("relay-a", 10, Duration.ofMinutes(1)).get(0);
    try (Connection completion = database.url().connect(Map.of());
        Connection probe = database.url().connect(Map.of());
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      completion.setAutoCommit(false);
      Future<Integer> stored;
      try {
        ClusterHeads.lock(completion, List.of("c1"));
        stored = callers.submit(() -> outbox.enqueue(List.of(hook("c1", "w2"))));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> locks(probe, "locktype = 'advisory' AND NOT granted") == 1);
        try (PreparedStatement s =
            completion.prepareStatement(
                "UPDATE hook_outbox SET status = 'delivered', delivered_at = now(),"
                    + " locked_by = NULL, locked_until = NULL WHERE id = ?")) {
          s.setLong(1, head.id());
          s.execute();
        }
      } finally {
        completion.commit();
      }
      assertThat(stored.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
    // Had the INSERT's snapshot been taken before the lock was granted, w2 would have been queued
    // behind a head already delivered, and no one would ever promote it.
    assertThat(status(database.dsl(), "w2")).isEqualTo("pending");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "preferQueryMode=simple", "prepareThreshold=-1"})
  void a_completion_that_fails_midway_leaves_nothing_behind(String setting) throws Exception {
    Database database = database(setting);
    DSLContext dsl = database.dsl();
    OutboxRepository outbox = new OutboxRepository(dsl, DatabaseClock.system());
    outbox.enqueue(List.of(hook("c1", "w1"), hook("c1", "w2")));
    OutboxRow claimed = outbox.claim("relay-a", 10, Duration.ofMinutes(1)).get(0);
    // The delivered mark fails, after the attempt is recorded in the same transaction.
    dsl.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$");
    dsl.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON hook_outbox_active FOR EACH ROW"
            + " WHEN (NEW.status = 'delivered') EXECUTE FUNCTION refuse()");
    try {
      DeliveryAttempt ok = new DeliveryAttempt(Instant.now(), Duration.ofMillis(5), 200, null, "");
      assertThatThrownBy(
              () -> outbox.markDelivered(List.of(new OutboxRepository.Delivered(claimed, ok))))
          .rootCause()
          .hasMessageContaining("refused by the test");
    } finally {
      dsl.execute("DROP TRIGGER refuse ON hook_outbox_active");
      dsl.execute("DROP FUNCTION refuse()");
    }

    assertThat(dsl.fetchCount(dsl.selectFrom("hook_delivery_attempt"))).isZero();
    assertThat(status(dsl, "w1")).isEqualTo("delivering");
    assertThat(status(dsl, "w2")).isEqualTo("queued");
    try (Connection probe = database.url().connect(Map.of())) {
      assertThat(locks(probe, "locktype = 'advisory'")).isZero();
    }
  }

  private static NewHook hook(String cluster, String workId) {
    return NewHook.of(Hook.POST_ADD_NODE)
        .clusterId(cluster)
        .workId(workId)
        .payload("{}")
        .webhookId("msg_" + workId)
        .build();
  }

  private static String status(DSLContext dsl, String workId) {
    return dsl.fetchOne("SELECT status FROM hook_outbox WHERE work_id = ?", workId)
        .get(0, String.class);
  }

  private static int locks(Connection c, String which) throws SQLException {
    try (Statement s = c.createStatement();
        // pg_locks shows every database's locks, and other test classes run beside this one.
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE pid IN (SELECT pid FROM pg_stat_activity"
                    + " WHERE datname = current_database()) AND "
                    + which)) {
      r.next();
      return r.getInt(1);
    }
  }

  /** Whether a completion of {@code cluster} could take its lock now (released at once if so). */
  private static boolean tryLock(Connection c, String cluster) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))")) {
      s.setString(1, cluster);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }
}
