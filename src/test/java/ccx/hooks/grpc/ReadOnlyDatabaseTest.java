package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.PreHookSettings;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database that answers but refuses writes (a standby reached by a stale DNS name or virtual IP,
 * or a server set read-only while a failover is prepared): post-hooks answer UNAVAILABLE, so CCX
 * retries them, and the pool drops each such connection instead of handing it out again.
 */
class ReadOnlyDatabaseTest {
  private static final int POOL_SIZE = 2;

  private DatabaseUrl url;
  private String name;
  private Database database;

  @RegisterExtension
  final IntegratorAndRelay fixture =
      IntegratorAndRelay.on(() -> new OutboxRepository(database.dsl(), DatabaseClock.system()));

  @BeforeEach
  void openReadOnlySessions() throws SQLException {
    url = TestDatabase.createDatabase();
    String path = url.jdbcUrl().replaceAll("\\?.*", "");
    name = path.substring(path.lastIndexOf('/') + 1);
    try (Database migrator = Database.open(url, 1)) {
      migrator.migrate();
    }
    // Every session opened from now on starts read-only; the sessions open already stay so.
    alterDatabase("SET default_transaction_read_only = on");
    database = Database.open(url, POOL_SIZE);
    fixture.start(PreHookSettings.defaults());
  }

  @AfterEach
  void close() {
    fixture.stop();
    database.close();
  }

  @Test
  void a_post_hook_on_a_read_only_database_answers_unavailable_saying_so() throws SQLException {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> PostRpc.POST_ADD_NODE.call(fixture.stub(), "cluster-1", "w-1"));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("read-only");
    try (Connection c = database.dataSource().getConnection()) {
      assertThat(Database.readOnlyReason(c))
          .hasValueSatisfying(r -> assertThat(r).contains("read-only"));
    }
  }

  @Test
  void once_the_database_takes_writes_again_read_only_connections_are_not_handed_out_again()
      throws SQLException {
    for (int i = 0; i < POOL_SIZE; i++) {
      // Fills the pool with read-only sessions.
      catchThrowableOfType(
          StatusRuntimeException.class,
          () -> PostRpc.POST_ADD_NODE.call(fixture.stub(), "cluster-1", "w-0"));
    }
    alterDatabase("RESET default_transaction_read_only");

    // A pool that kept its read-only sessions would refuse every call until they expire (30 min);
    // one that drops each on its first refusal stores the hook once it has opened a new session.
    int refused = 0;
    while (true) {
      try {
        PostRpc.POST_ADD_NODE.call(fixture.stub(), "cluster-1", "w-1");
        break;
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        refused++;
        assertThat(refused)
            .as("calls refused after the database took writes again")
            .isLessThanOrEqualTo(POOL_SIZE);
      }
    }
    assertThat(OutboxTable.rows(database)).hasSize(1);
  }

  private void alterDatabase(String change) throws SQLException {
    try (Connection c = url.connect(Map.of());
        Statement s = c.createStatement()) {
      s.execute("SET default_transaction_read_only = off"); // this session's own, to change it
      s.execute("ALTER DATABASE " + name + " " + change);
    }
  }
}
