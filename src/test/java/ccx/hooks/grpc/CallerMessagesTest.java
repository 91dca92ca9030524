package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.outbox.OutboxUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What callers read of a failure: its kind, never the host, user or driver's words. */
class CallerMessagesTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "integrator answered HTTP 503 | integrator answered HTTP 503",
        "no answer within 4950ms (timeout) | no answer within 4950ms (timeout)",
        "HTTP 200 answer larger than 1048576 bytes | HTTP 200 answer larger than 1048576 bytes",
        "HTTP 200 but answer is not JSON: <html>secret page</html> | HTTP 200 but answer is not JSON",
        "connection failed: ConnectException (Failed to connect to /10.1.2.3:8080)"
            + " | connection failed (the relay's log says why)",
        "circuit breaker open: http://billing.internal:8080/ failed recently, not called"
            + " | circuit breaker open: the integrator failed recently and was not called",
        "TLS error: PKIX path building failed for billing.internal"
            + " | TLS error (the relay's log says why)",
        "something nobody foresaw at billing.internal | no usable answer (the relay's log says why)"
      })
  void a_pre_hook_failure_is_told_by_its_kind(String cause, String told) {
    assertThat(CallerMessages.cause(cause)).isEqualTo(told);
  }

  @Test
  void a_database_failure_names_no_host_user_or_driver_message() {
    String told =
        CallerMessages.of(
            new OutboxUnavailableException(
                "outbox database could not store 1 hook(s): Connection to db.internal:5432"
                    + " refused. FATAL: password authentication failed for user \"ccx\"",
                null));

    assertThat(told)
        .startsWith("the outbox database is unavailable")
        .doesNotContain("db.internal", "ccx", "FATAL");
  }

  @Test
  void a_notice_hook_that_could_be_neither_sent_nor_queued_says_both_kinds() {
    String told =
        CallerMessages.of(
            new OutboxUnavailableException(
                "pre-remove-node hook failed (connection failed: ConnectException (Failed to"
                    + " connect to /10.1.2.3:8080)) and could not be queued: outbox database could"
                    + " not enqueue: Connection to db.internal:5432 refused",
                null));

    assertThat(told)
        .startsWith("pre-remove-node hook failed (connection failed")
        .contains("could not be queued: the outbox database is unavailable")
        .doesNotContain("10.1.2.3", "db.internal");
  }

  @Test
  void a_stopping_relay_says_so() {
    assertThat(
            CallerMessages.of(
                new OutboxUnavailableException(
                    "the relay is stopping: could not store the hook", null)))
        .isEqualTo("the relay is stopping: could not store the hook");
  }
}
