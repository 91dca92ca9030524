package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddedDatabaseTest {

  @Test
  void the_embedded_server_reports_a_commit_only_once_it_is_on_disk() throws SQLException {
    try (EmbeddedDatabase embedded = EmbeddedDatabase.start(Optional.empty());
        Connection c = embedded.url("postgres").connect(Map.of());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW synchronous_commit")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("on");
    }
  }
}
