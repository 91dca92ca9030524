package ccx.hooks.outbox;

import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;

/**
 * Retries a statement that met a row moved to another partition by a concurrent transaction.
 * PostgreSQL cannot follow such a row under READ COMMITTED and fails the statement with SQLSTATE
 * 40001 instead. It happens when a replay, a retention sweep or a stale relay's completion races
 * with another transaction on the same row; run again, the statement sees the row where it now is.
 */
final class ConcurrentMove {
  private static final int TRIES = 3;

  private ConcurrentMove() {}

  static <T> T retry(Supplier<T> transaction) {
    for (int attempt = 1; ; attempt++) {
      try {
        return transaction.get();
      } catch (DataAccessException e) {
        if (attempt >= TRIES || !"40001".equals(e.sqlState())) {
          throw e;
        }
      }
    }
  }
}
