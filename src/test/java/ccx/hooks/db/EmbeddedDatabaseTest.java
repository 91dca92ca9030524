package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL of local-server and the chaos run keeps what it acknowledged. */
class EmbeddedDatabaseTest {
  @TempDir Path data;

  @Test
  void the_embedded_database_flushes_every_commit_and_survives_a_crash() throws Exception {
    EmbeddedDatabase postgres = EmbeddedDatabase.start(Optional.of(data.resolve("pg")));
    int port = postgres.port();
    try (Connection c = postgres.url("postgres").connect(Map.of());
        Statement s = c.createStatement()) {
      assertThat(setting(s, "fsync")).isEqualTo("on");
      assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
      assertThat(setting(s, "full_page_writes")).isEqualTo("on");
      s.execute("CREATE TABLE acknowledged (id int)");
      s.execute("INSERT INTO acknowledged SELECT generate_series(1, 1000)");
    }

    postgres.crash();
    postgres = EmbeddedDatabase.start(Optional.of(data.resolve("pg")), port);

    try (Connection c = postgres.url("postgres").connect(Map.of());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM acknowledged")) {
      r.next();
      assertThat(r.getInt(1)).isEqualTo(1000);
    } finally {
      postgres.close();
    }
  }

  private static String setting(Statement s, String name) throws Exception {
    try (ResultSet r = s.executeQuery("SHOW " + name)) {
      r.next();
      return r.getString(1);
    }
  }
}
