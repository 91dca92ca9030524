package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.outbox.OutboxUnavailableException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * What callers read of a database failure: its kind, never the host, user or driver's words. (A
 * pre-hook's failure is summed up where it is classified: PreHookExceptionTest.)
 */
class CallerMessagesTest {
  @Test
  void a_database_failure_names_no_host_user_or_driver_message() {
    String told =
        CallerMessages.of(
            OutboxUnavailableException.database(
                new SQLException(
                    "Connection to db.internal:5432 refused. FATAL: password authentication"
                        + " failed for user \"ccx\"",
                    "08001")));

    assertThat(told)
        .startsWith("the outbox database is unavailable")
        .doesNotContain("db.internal", "ccx", "FATAL");
  }

  @Test
  void a_read_only_database_says_so() {
    String told =
        CallerMessages.of(
            OutboxUnavailableException.database(
                new SQLException("cannot execute INSERT in a read-only transaction", "25006")));

    assertThat(told).startsWith("the outbox database is read-only");
  }

  @Test
  void a_stopping_relay_says_so() {
    assertThat(
            CallerMessages.of(
                OutboxUnavailableException.stopping(
                    "the relay is stopping: could not store the hook", null)))
        .isEqualTo("the relay is stopping: could not store the hook");
  }
}
