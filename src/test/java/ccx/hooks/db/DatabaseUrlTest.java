package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

  @Test
  void a_postgres_uri_becomes_a_jdbc_url_and_credentials() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://relay:s3cret@db.example:5433/ccx_hooks");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/ccx_hooks");
    assertThat(url.user()).hasValue("relay");
    assertThat(url.password()).hasValue("s3cret");
  }

  @Test
  void a_postgresql_uri_keeps_its_parameters_and_may_omit_port_and_password() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://relay@db/ccx_hooks?sslmode=require");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db/ccx_hooks?sslmode=require");
    assertThat(url.user()).hasValue("relay");
    assertThat(url.password()).isEmpty();
  }

  @Test
  void a_host_name_with_an_underscore_is_kept_as_container_names_have_them() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://ccx:pw@ccx_db:5432/ccx_hooks");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://ccx_db:5432/ccx_hooks");
    assertThat(url.user()).hasValue("ccx");
  }

  @Test
  void a_uri_without_credentials_has_none() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://localhost");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/");
    assertThat(url.user()).isEmpty();
    assertThat(url.password()).isEmpty();
  }

  @Test
  void percent_encoded_credentials_are_decoded() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://re%40lay:p%40ss%3Aw%2Frd@db/x");

    assertThat(url.user()).hasValue("re@lay");
    assertThat(url.password()).hasValue("p@ss:w/rd");
  }

  @Test
  void a_plus_in_a_password_is_a_plus_not_a_space() {
    // libpq decodes only %XX in a URI; "+" meaning space is HTML form encoding.
    DatabaseUrl url = DatabaseUrl.parse("postgres://relay:a+b@db/x");

    assertThat(url.password()).hasValue("a+b");
  }

  @Test
  void an_ipv6_host_is_kept_in_brackets() {
    assertThat(DatabaseUrl.parse("postgres://relay@[::1]:5432/x").jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432/x");
  }

  @Test
  void a_jdbc_url_is_kept_as_it_is() {
    String jdbc = "jdbc:postgresql://db:5432/ccx_hooks?user=relay&password=s3cret";

    DatabaseUrl url = DatabaseUrl.parse("  " + jdbc + " ");

    assertThat(url.jdbcUrl()).isEqualTo(jdbc);
    assertThat(url.user()).isEmpty();
    assertThat(url.password()).isEmpty();
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
  void several_hosts_in_a_uri_become_a_jdbc_host_list_that_connects_to_the_primary() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://relay:s3cret@h1:5432,h2:5433/ccx_hooks");

    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/ccx_hooks?targetServerType=primary");
    assertThat(url.user()).hasValue("relay");
    assertThat(url.password()).hasValue("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"primary", "read-write"})
  void target_session_attrs_for_a_writable_server_becomes_target_server_type_primary(String attrs) {
    DatabaseUrl url =
        DatabaseUrl.parse(
            "postgres://relay@h1,h2:5433/x?sslmode=require&target_session_attrs=" + attrs);

    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1,h2:5433/x?sslmode=require&targetServerType=primary");
  }

  @Test
  void target_session_attrs_any_is_kept_when_asked_for() {
    assertThat(DatabaseUrl.parse("postgres://h1,h2/x?target_session_attrs=any").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1,h2/x?targetServerType=any");
  }

  @Test
  void libpq_host_and_port_parameters_give_the_host_list() {
    assertThat(DatabaseUrl.parse("postgres://relay@/x?host=h1,h2&port=5432,5433").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/x?targetServerType=primary");
    assertThat(DatabaseUrl.parse("postgresql:///x?host=h1,h2&port=6432").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:6432,h2:6432/x?targetServerType=primary");
  }

  @Test
  void a_list_of_ipv6_hosts_keeps_its_brackets() {
    assertThat(DatabaseUrl.parse("postgres://relay@[::1]:5432,[fe80::2]:5433/x").jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432,[fe80::2]:5433/x?targetServerType=primary");
  }

  @Test
  void a_jdbc_url_with_several_hosts_gets_target_server_type_primary_unless_it_has_one() {
    assertThat(DatabaseUrl.parse("jdbc:postgresql://h1:5432,h2:5433/x?user=relay").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/x?user=relay&targetServerType=primary");
    assertThat(DatabaseUrl.parse("jdbc:postgresql://h1,h2/x").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1,h2/x?targetServerType=primary");
    assertThat(
            DatabaseUrl.parse("jdbc:postgresql://h1,h2/x?targetServerType=preferPrimary").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h1,h2/x?targetServerType=preferPrimary");
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
