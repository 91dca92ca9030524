package ccx.hooks.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import org.junit.jupiter.api.Test;

class HookTargetTest {

  @Test
  void a_hook_url_that_does_not_parse_is_named_without_its_user_password_or_query() {
    assertThatThrownBy(
            () -> HookTarget.parseUrl("htps://relay:url-secret@h.example/hooks?key=q-secret"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--hook-url: 'htps://***@h.example/hooks?***' is not an http:// or https:// URL"
                + " (e.g. http://host:8080)");
    assertThatThrownBy(() -> HookTarget.parseUrl("http://relay:p@ss-secret@h.example:99999/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'http://***@h.example:99999/'")
        .hasMessageNotContaining("secret");
  }

  @Test
  void a_hook_url_with_a_user_or_password_is_refused_without_showing_them() {
    assertThatThrownBy(() -> HookTarget.parseUrl("https://relay:url-secret@h.example/hooks"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--hook-url: 'https://***@h.example/hooks' holds a user or password, which the relay"
                + " would not send (it has no Basic authentication); remove them, and"
                + " authenticate with --hook-token or --signing-secret");
    assertThatThrownBy(() -> HookTarget.parseUrl("https://relay@h.example/hooks"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("holds a user or password");
    assertThatThrownBy(() -> HookTarget.parseUrl("https://:only-secret@h.example/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("only-secret");
    // OkHttp drops a line break from a password and parses the rest; the message hides it all.
    assertThatThrownBy(
            () -> HookTarget.parseUrl("https://relay:first\nsecond\u2028third@h.example/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--hook-url: 'https://***@h.example/' holds")
        .hasMessageNotContaining("first")
        .hasMessageNotContaining("second")
        .hasMessageNotContaining("third");
  }

  @Test
  void a_hook_url_with_a_path_and_query_is_kept() {
    assertThat(HookTarget.parseUrl(" https://h.example:8443/hooks?key=k ").toString())
        .isEqualTo("https://h.example:8443/hooks?key=k");
  }

  @Test
  void a_query_is_hidden_across_line_breaks() {
    assertThat(HookTarget.redact("http://h.example/?key=a\nb")).isEqualTo("http://h.example/?***");
  }

  @Test
  void a_url_without_credentials_is_shown_as_given() {
    assertThat(HookTarget.redact("http://h.example:8080/hooks"))
        .isEqualTo("http://h.example:8080/hooks");
    assertThat(HookTarget.redact("not a url")).isEqualTo("not a url");
  }
}
