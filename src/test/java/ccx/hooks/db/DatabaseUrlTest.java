package ccx.hooks.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.ConfigException;
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
