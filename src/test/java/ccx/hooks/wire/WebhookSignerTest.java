package ccx.hooks.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignerTest {
  // The test vector published with the Standard Webhooks specification and its reference libraries.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330L;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  // A second key ("second-key-for-rotation") and the signature of the same message with it,
  // computed independently with openssl:
  //   printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}'
  //     | openssl dgst -sha256 -hmac 'second-key-for-rotation' -binary | base64
  private static final String SECOND_SECRET = "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=";
  private static final String SECOND_SIGNATURE = "v1,VCzcewc1d50xafQYDe7NW2t5tRvLDX2BH/kD+5kmcEc=";

  @Test
  void the_published_standard_webhooks_test_vector_verifies() {
    WebhookSigner signer = WebhookSigner.fromSecrets(SECRET);

    assertThat(signer.secretCount()).isEqualTo(1);
    assertThat(signer.sign(MESSAGE_ID, TIMESTAMP, BODY)).hasValue(SIGNATURE);
  }

  @Test
  void the_whsec_prefix_is_optional() {
    WebhookSigner signer = WebhookSigner.fromSecrets(SECRET.substring("whsec_".length()));

    assertThat(signer.sign(MESSAGE_ID, TIMESTAMP, BODY)).hasValue(SIGNATURE);
  }

  @Test
  void several_secrets_give_one_space_separated_entry_each_in_their_order() {
    WebhookSigner signer = WebhookSigner.fromSecrets("  " + SECRET + "   " + SECOND_SECRET + " ");

    assertThat(signer.secretCount()).isEqualTo(2);
    assertThat(signer.sign(MESSAGE_ID, TIMESTAMP, BODY))
        .hasValue(SIGNATURE + " " + SECOND_SIGNATURE);
  }

  @Test
  void a_different_id_timestamp_or_body_changes_the_signature() {
    WebhookSigner signer = WebhookSigner.fromSecrets(SECRET);

    assertThat(signer.sign("msg_other", TIMESTAMP, BODY)).get().isNotEqualTo(SIGNATURE);
    assertThat(signer.sign(MESSAGE_ID, TIMESTAMP + 1, BODY)).get().isNotEqualTo(SIGNATURE);
    assertThat(signer.sign(MESSAGE_ID, TIMESTAMP, BODY + " ")).get().isNotEqualTo(SIGNATURE);
  }

  @Test
  void without_secrets_nothing_is_signed() {
    assertThat(WebhookSigner.none().sign(MESSAGE_ID, TIMESTAMP, BODY)).isEmpty();
    assertThat(WebhookSigner.fromSecrets("   ").sign(MESSAGE_ID, TIMESTAMP, BODY)).isEmpty();
    assertThat(WebhookSigner.none().secretCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"whsec_not*base64*at%all", "whsec_", "whsec_=="})
  void a_bad_secret_names_the_option_and_does_not_echo_the_secret(String secret) {
    assertThatThrownBy(() -> WebhookSigner.fromSecrets(SECRET + " " + secret))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--signing-secret")
        .hasMessageContaining("#2")
        .hasMessageNotContaining(secret)
        .hasMessageNotContaining(SECRET);
  }
}
