package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import org.junit.jupiter.api.Test;

class LocalServerCommandTest {

  @Test
  void a_bare_host_means_plain_http_on_port_80() {
    assertThat(LocalServerCommand.parseLocalUrl("myserver")).hasToString("http://myserver/");
  }

  @Test
  void a_bare_host_and_port_means_plain_http_on_that_port() {
    assertThat(LocalServerCommand.parseLocalUrl("localhost:8080"))
        .hasToString("http://localhost:8080/");
  }

  @Test
  void a_whole_url_is_kept_with_its_path() {
    assertThat(LocalServerCommand.parseLocalUrl("https://integrator.example/hooks"))
        .hasToString("https://integrator.example/hooks");
  }

  @Test
  void something_that_is_neither_a_url_nor_a_host_is_refused() {
    assertThatThrownBy(() -> LocalServerCommand.parseLocalUrl("ftp://files.example"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ftp://files.example");
    assertThatThrownBy(() -> LocalServerCommand.parseLocalUrl("host:port"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("host:port");
  }

  @Test
  void a_refused_url_is_shown_without_its_user_password_or_query() {
    assertThatThrownBy(
            () -> LocalServerCommand.parseLocalUrl("ftp://relay:url-secret@files.example"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ftp://***@files.example")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> LocalServerCommand.parseLocalUrl("relay:url-secret@host:port"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("***@host:port")
        .hasMessageNotContaining("secret");
  }

  @Test
  void a_url_with_a_user_or_password_is_refused_naming_the_argument() {
    assertThatThrownBy(() -> LocalServerCommand.parseLocalUrl("relay:hidden-pw@integrator:8080"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("URL: 'http://***@integrator:8080' holds a user or password")
        .hasMessageNotContaining("hidden-pw");
  }
}
