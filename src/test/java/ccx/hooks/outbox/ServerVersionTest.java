package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.db.Database;
import ccx.hooks.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The suites run on the PostgreSQL the README claims: 13 or newer, and in the pg-matrix profile
 * exactly the major each execution names (so a run that silently used another server fails).
 */
class ServerVersionTest {
  @Test
  void the_tests_run_on_a_claimed_postgresql_major() throws Exception {
    int major;
    String version;
    try (Database database = TestDatabase.create();
        Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT current_setting('server_version_num')::int, version()")) {
      r.next();
      major = r.getInt(1) / 10000;
      version = r.getString(2);
    }
    System.out.println("PostgreSQL under test: " + version);
    String expected = System.getProperty("ccx.test.postgres.major");
    if (expected != null) {
      assertThat(major).as(version).isEqualTo(Integer.parseInt(expected));
    }
    assertThat(major).as(version).isGreaterThanOrEqualTo(13);
  }
}
