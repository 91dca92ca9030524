package ccx.hooks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.db.Database;
import ccx.hooks.testing.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operators' commands against a primary and its standby: given both hosts, standby first, they
 * work on the primary; given only the standby, they fail saying why. Runs with the failover run
 * ({@code ./mvnw verify}); the migration of the first test is what the others read.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandbyIT {
  private static Path directory;
  private static ReplicatedPostgres postgres;
  private static String standbyFirst;

  /** What one command line did. */
  @BeforeAll
  static void startPrimaryAndStandby() throws Exception {
    directory = Files.createTempDirectory("ccx-standby-it");
    postgres = ReplicatedPostgres.start(directory, true);
    standbyFirst =
        "postgres://postgres@127.0.0.1:"
            + postgres.replicaPort()
            + ",127.0.0.1:"
            + postgres.primaryPort()
            + "/postgres";
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
    }
  }

  @Test
  @Order(1)
  void migrate_given_the_standby_first_migrates_the_primary() throws SQLException {
    CommandResult migrate = run("migrate", "--database-url", standbyFirst);

    assertThat(migrate.exitCode()).as(migrate.err()).isZero();
    assertThat(migrate.out()).contains("the schema is current");
    assertThat(query(postgres.primaryPort(), "SELECT count(*) FROM hook_outbox")).isEqualTo("0");
  }

  @Test
  @Order(2)
  void replay_given_the_standby_first_replays_the_failed_row_on_the_primary() throws SQLException {
    query(
        postgres.primaryPort(),
        "INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, status)"
            + " VALUES ('post-add-node', 'w-1', 'c-1', '{}', 'msg_1', 'failed') RETURNING id");

    CommandResult replay = run("replay", "--work-id", "w-1", "--database-url", standbyFirst);

    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out()).isEqualTo("replayed 1 hook\n");
    assertThat(
            query(postgres.primaryPort(), "SELECT status FROM hook_outbox WHERE work_id = 'w-1'"))
        .isEqualTo("pending");
  }

  @Test
  @Order(3)
  void replay_given_only_the_standby_fails_saying_the_database_is_read_only_and_what_to_do() {
    String standbyOnly =
        "jdbc:postgresql://127.0.0.1:" + postgres.replicaPort() + "/postgres?user=postgres";

    CommandResult replay = run("replay", "--work-id", "w-1", "--database-url", standbyOnly);

    assertThat(replay.exitCode()).isNotZero();
    assertThat(replay.err())
        .contains("the database is read-only")
        .contains("give the primary's address, or every host");
  }

  @Test
  @Order(4)
  void a_standby_is_reported_as_one_and_the_primary_is_not() throws SQLException {
    try (Connection standby = ReplicatedPostgres.connect(postgres.replicaPort());
        Connection primary = ReplicatedPostgres.connect(postgres.primaryPort())) {
      assertThat(Database.readOnlyReason(standby))
          .hasValueSatisfying(reason -> assertThat(reason).contains("standby"));
      assertThat(Database.readOnlyReason(primary)).isEmpty();
    }
  }

  private static CommandResult run(String... args) {
    return CommandResult.run(Map.of(), args);
  }

  private static String query(int port, String sql) throws SQLException {
    try (Connection c = ReplicatedPostgres.connect(port);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }
}
