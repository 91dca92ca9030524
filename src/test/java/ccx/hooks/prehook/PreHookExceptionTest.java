package ccx.hooks.prehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.core.Hook;
import ccx.hooks.prehook.PreHookException.Failure;
import ccx.hooks.wire.HookCallException;
import ccx.hooks.wire.HookCallException.Reason;
import ccx.hooks.wire.HookJson;
import java.net.ConnectException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * A pre-hook's failure is classified where it is known: its kind, the full detail for the log, and
 * a summary for the caller that names no host and quotes no answer.
 */
class PreHookExceptionTest {
  private static final Hook HOOK = Hook.PRE_ADD_NODE;

  private static PreHookException noAnswer(Reason reason, String message, Throwable cause) {
    return PreHookException.noAnswer(
        HOOK, new HookCallException(reason, message, cause), Duration.ofMillis(4950), false);
  }

  @Test
  void a_refused_connection_is_told_by_its_kind_and_logged_with_the_address() {
    String detail = "connection failed: ConnectException (Failed to connect to /10.1.2.3:8080)";
    PreHookException e = noAnswer(Reason.CONNECTION, detail, new ConnectException("refused"));

    assertThat(e.failure()).isEqualTo(Failure.CONNECTION);
    assertThat(e.detail()).isEqualTo(detail);
    assertThat(e.summary()).isEqualTo("connection failed (the relay's log says why)");
    assertThat(e.getMessage()).isEqualTo("pre-add-node hook failed: " + detail);
  }

  @Test
  void a_failed_handshake_is_a_tls_error() {
    PreHookException e =
        noAnswer(
            Reason.CONNECTION,
            "TLS error: PKIX path building failed for billing.internal",
            new SSLHandshakeException("PKIX path building failed"));

    assertThat(e.failure()).isEqualTo(Failure.TLS);
    assertThat(e.summary()).isEqualTo("TLS error (the relay's log says why)");
  }

  @Test
  void an_open_breaker_does_not_name_the_endpoint() {
    PreHookException e =
        noAnswer(
            Reason.CIRCUIT_OPEN,
            "circuit breaker open: http://billing.internal:8080/pre-add-node is out",
            null);

    assertThat(e.failure()).isEqualTo(Failure.CIRCUIT_OPEN);
    assertThat(e.summary())
        .isEqualTo("circuit breaker open: the integrator failed recently and was not called");
  }

  @Test
  void a_timeout_says_how_long_the_relay_waited() {
    PreHookException e = noAnswer(Reason.TIMEOUT, "no answer within 4950ms (timeout)", null);

    assertThat(e.failure()).isEqualTo(Failure.TIMEOUT);
    assertThat(e.summary()).isEqualTo("no answer within 4950ms (timeout)");
  }

  @Test
  void a_call_never_sent_says_only_that_there_was_no_usable_answer() {
    PreHookException e =
        noAnswer(Reason.UNSENDABLE, "cannot build the request: bad header at billing", null);

    assertThat(e.failure()).isEqualTo(Failure.NOT_SENT);
    assertThat(e.summary()).isEqualTo("no usable answer (the relay's log says why)");
  }

  @Test
  void a_status_is_said_alike_to_the_log_and_the_caller() {
    PreHookException e = PreHookException.status(HOOK, 503);

    assertThat(e.failure()).isEqualTo(Failure.HTTP_STATUS);
    assertThat(e.detail()).isEqualTo("integrator answered HTTP 503");
    assertThat(e.summary()).isEqualTo("integrator answered HTTP 503");
  }

  @Test
  void an_unusable_answer_is_quoted_to_the_log_only() {
    HookJson.NotJsonException notJson =
        catchThrowableOfType(
            HookJson.NotJsonException.class,
            () -> HookJson.parseAnswer("<html>secret page</html>"));

    PreHookException e = PreHookException.unusable(HOOK, 200, notJson);

    assertThat(e.failure()).isEqualTo(Failure.UNUSABLE_ANSWER);
    assertThat(e.detail()).isEqualTo("HTTP 200 but answer is not JSON: <html>secret page</html>");
    assertThat(e.summary()).isEqualTo("HTTP 200 but answer is not JSON");
  }
}
