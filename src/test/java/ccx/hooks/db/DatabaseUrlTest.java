package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

  /**
   * Each URL as an operator may write it, the JDBC URL it becomes and the credentials taken out of
   * it ("-": none); a comment above each row says the rule it shows.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # A postgres URI becomes a JDBC URL and credentials.
          postgres://relay:s3cret@db.example:5433/ccx_hooks | jdbc:postgresql://db.example:5433/ccx_hooks | relay | s3cret
          # A postgresql URI keeps its parameters and may omit the port and the password.
          postgresql://relay@db/ccx_hooks?sslmode=require | jdbc:postgresql://db/ccx_hooks?sslmode=require | relay | -
          # A host name with an underscore is kept, as container names have them.
          postgres://ccx:pw@ccx_db:5432/ccx_hooks | jdbc:postgresql://ccx_db:5432/ccx_hooks | ccx | pw
          # A URI without credentials has none.
          postgres://localhost | jdbc:postgresql://localhost/ | - | -
          # Percent-encoded credentials are decoded.
          postgres://re%40lay:p%40ss%3Aw%2Frd@db/x | jdbc:postgresql://db/x | re@lay | p@ss:w/rd
          # A plus in a password is a plus, not a space: libpq decodes only %XX in a URI.
          postgres://relay:a+b@db/x | jdbc:postgresql://db/x | relay | a+b
          # An IPv6 host is kept in brackets.
          postgres://relay@[::1]:5432/x | jdbc:postgresql://[::1]:5432/x | relay | -
          # A JDBC URL is kept as it is, but for the white space around it.
          '  jdbc:postgresql://db:5432/ccx_hooks?user=relay&password=s3cret ' | jdbc:postgresql://db:5432/ccx_hooks?user=relay&password=s3cret | - | -
          # Several hosts in a URI become a JDBC host list that connects to the primary.
          postgres://relay:s3cret@h1:5432,h2:5433/ccx_hooks | jdbc:postgresql://h1:5432,h2:5433/ccx_hooks?targetServerType=primary | relay | s3cret
          # target_session_attrs for a writable server becomes targetServerType=primary.
          postgres://relay@h1,h2:5433/x?sslmode=require&target_session_attrs=primary | jdbc:postgresql://h1,h2:5433/x?sslmode=require&targetServerType=primary | relay | -
          postgres://relay@h1,h2:5433/x?sslmode=require&target_session_attrs=read-write | jdbc:postgresql://h1,h2:5433/x?sslmode=require&targetServerType=primary | relay | -
          # target_session_attrs=any is kept when asked for.
          postgres://h1,h2/x?target_session_attrs=any | jdbc:postgresql://h1,h2/x?targetServerType=any | - | -
          # libpq's host and port parameters give the host list.
          postgres://relay@/x?host=h1,h2&port=5432,5433 | jdbc:postgresql://h1:5432,h2:5433/x?targetServerType=primary | relay | -
          postgresql:///x?host=h1,h2&port=6432 | jdbc:postgresql://h1:6432,h2:6432/x?targetServerType=primary | - | -
          # A list of IPv6 hosts keeps its brackets.
          postgres://relay@[::1]:5432,[fe80::2]:5433/x | jdbc:postgresql://[::1]:5432,[fe80::2]:5433/x?targetServerType=primary | relay | -
          # A JDBC URL with several hosts gets targetServerType=primary, unless it has one.
          jdbc:postgresql://h1:5432,h2:5433/x?user=relay | jdbc:postgresql://h1:5432,h2:5433/x?user=relay&targetServerType=primary | - | -
          jdbc:postgresql://h1,h2/x | jdbc:postgresql://h1,h2/x?targetServerType=primary | - | -
          jdbc:postgresql://h1,h2/x?targetServerType=preferPrimary | jdbc:postgresql://h1,h2/x?targetServerType=preferPrimary | - | -
          """)
  void a_url_becomes_a_jdbc_url_and_the_credentials_it_holds(
      String url, String jdbcUrl, String user, String password) {
    DatabaseUrl parsed = DatabaseUrl.parse(url);

    assertThat(parsed.jdbcUrl()).isEqualTo(jdbcUrl);
    assertThat(parsed.user()).isEqualTo(Optional.ofNullable(user));
    assertThat(parsed.password()).isEqualTo(Optional.ofNullable(password));
  }

  @Test
  void display_hides_the_password() {
    DatabaseUrl jdbc =
        DatabaseUrl.parse("jdbc:postgresql://db/x?user=relay&password=s3cret&sslmode=require");
    DatabaseUrl uri = DatabaseUrl.parse("postgres://relay:s3cret@db/x?password=s3cret");

    assertThat(jdbc.display())
        .isEqualTo("jdbc:postgresql://db/x?user=relay&password=***&sslmode=require");
    assertThat(uri.display()).isEqualTo("jdbc:postgresql://db/x?password=***");
  }

  @Test
  void another_database_on_several_hosts_keeps_the_hosts_and_parameters() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://relay:pw@h1:5432,h2:5433/x");

    assertThat(url.withDatabase("other").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/other?targetServerType=primary");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgres://relay:s3cret@h1,h2/x?target_session_attrs=standby",
        "postgres://relay:s3cret@h1,h2/x?target_session_attrs=prefer-standby",
        "postgres://relay:s3cret@h1,h2/x?target_session_attrs=read-only",
        "jdbc:postgresql://h1,h2/x?password=s3cret&targetServerType=secondary",
        "jdbc:postgresql://h1,h2/x?password=s3cret&targetServerType=preferSlave"
      })
  void a_url_that_asks_for_a_standby_is_refused_because_hooks_cannot_be_stored_there(String text) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--database-url")
        .hasMessageContaining("would connect to a standby")
        .hasMessageNotContaining("s3cr");
  }

  @Test
  void bad_host_lists_are_named_in_the_error() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres://relay:s3cret@h1,,h2/x"))
        .hasMessageContaining("no host")
        .hasMessageNotContaining("s3cr");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres://relay:s3cret@h1:99999,h2/x"))
        .hasMessageContaining("port '99999' of host h1 is not a port number");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres:///x?host=h1,h2,h3&port=1,2"))
        .hasMessageContaining("2 ports for 3 hosts");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres://h1/x?host=h2"))
        .hasMessageContaining("hosts given both");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres:///x?host=/var/run/postgresql"))
        .hasMessageContaining("Unix socket");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgres://relay@h1,h2/x?target_session_attrs=x"))
        .hasMessageContaining("target_session_attrs=x is not one of any, primary, read-write");
  }

  @Test
  void to_string_never_shows_the_password() {
    DatabaseUrl uri = DatabaseUrl.parse("postgres://relay:s3cret@h1,h2/x");
    DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://h1/x?user=relay&password=s3cret");

    assertThat(uri.toString()).doesNotContain("s3cret").contains("relay").contains("h1,h2");
    assertThat(jdbc.toString()).doesNotContain("s3cret");
  }

  @Test
  void display_hides_a_password_with_an_unencoded_at_sign_whole() {
    assertThat(DatabaseUrl.redact("postgres://relay:p@ss@h1,h2/x"))
        .isEqualTo("postgres://relay:***@h1,h2/x");
    assertThat(DatabaseUrl.redact("jdbc:postgresql://h1:5432/x?user=relay@azure"))
        .isEqualTo("jdbc:postgresql://h1:5432/x?user=relay@azure");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void a_missing_url_names_the_option(String text) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--database-url is required");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mysql://relay:s3cret@db/x",
        "db.example:5432",
        "postgres:///x",
        "postgres://relay:s3cret@/x",
        "postgres://relay:s3cret@db/x y",
        "postgres://relay:s3cr%zz@db/x"
      })
  void a_bad_url_names_the_option_without_showing_the_password(String text) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--database-url")
        .hasMessageNotContaining("s3cr");
  }
}
