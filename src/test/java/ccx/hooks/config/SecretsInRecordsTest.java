package ccx.hooks.config;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.util.Base64;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** Records print themselves into logs and exception messages: never with a secret. */
class SecretsInRecordsTest {
  static final String TOKEN = "caller-token-1234567890";
  static final String SECRET = Base64.getEncoder().encodeToString("the-signing-key".getBytes());

  @Test
  void a_database_url_prints_without_its_password_wherever_it_was_given() {
    DatabaseUrl uri = DatabaseUrl.parse("postgres://ccx:pa55word@db:5432/ccx_hooks");
    DatabaseUrl jdbc =
        DatabaseUrl.parse("jdbc:postgresql://db:5432/ccx_hooks?user=ccx&password=pa55word");

    assertThat(uri.toString()).doesNotContain("pa55word").contains("password ***");
    assertThat(jdbc.toString()).doesNotContain("pa55word");
  }

  @Test
  void a_hook_target_prints_without_its_token_secret_or_url_credentials() {
    HookTarget target =
        new HookTarget(
            HttpUrl.get("https://user:urlpass@billing.example/hooks?key=querysecret"),
            Optional.of("hook-token-abc"),
            WebhookSigner.fromSecrets("whsec_" + SECRET));

    assertThat(target.toString())
        .doesNotContain("hook-token-abc", SECRET, "urlpass", "querysecret")
        .contains("bearerToken=***", "signingSecrets=1");
  }

  @Test
  void caller_authentication_prints_how_many_tokens_not_which() {
    CallerAuth callers = CallerAuth.of(TOKEN + " " + TOKEN + "-next", "ccx-control-plane", false);

    assertThat(callers.toString()).doesNotContain(TOKEN).contains("2 (***)", "ccx-control-plane");
  }

  @Test
  void a_token_or_secret_for_a_plain_http_integrator_is_flagged_and_https_is_not() {
    assertThat(
            new HookTarget(
                    HttpUrl.get("http://billing:8080"), Optional.of("t"), WebhookSigner.none())
                .sendsSecretsInPlaintext())
        .isTrue();
    assertThat(
            new HookTarget(
                    HttpUrl.get("http://billing:8080"),
                    Optional.empty(),
                    WebhookSigner.fromSecrets("whsec_" + SECRET))
                .sendsSecretsInPlaintext())
        .isTrue();
    assertThat(
            new HookTarget(
                    HttpUrl.get("http://billing:8080"), Optional.empty(), WebhookSigner.none())
                .sendsSecretsInPlaintext())
        .isFalse();
    assertThat(
            new HookTarget(HttpUrl.get("https://billing"), Optional.of("t"), WebhookSigner.none())
                .sendsSecretsInPlaintext())
        .isFalse();
  }
}
