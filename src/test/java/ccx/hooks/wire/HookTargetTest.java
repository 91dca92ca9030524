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
  void a_url_without_credentials_is_shown_as_given() {
    assertThat(HookTarget.redact("http://h.example:8080/hooks"))
        .isEqualTo("http://h.example:8080/hooks");
    assertThat(HookTarget.redact("not a url")).isEqualTo("not a url");
  }
}
