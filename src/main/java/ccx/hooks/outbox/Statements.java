package ccx.hooks.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import org.postgresql.jdbc.PgConnection;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * Runs a statement of constant text through JDBC, for the few statements every delivery runs (the
 * claim, and recording outcomes): the driver prepares each once on the server, and the relay skips
 * jOOQ's rendering and result mapping, which were most of their cost in the relay's profile.
 */
final class Statements {
  /** Sets a statement's parameters. */
  interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Work that talks to the database. */
  interface Work<T> {
    T run() throws SQLException;
  }

  private Statements() {}

  /**
   * One column of a batch, as an array parameter of {@code unnest(?::bigint[], …)}: the value
   * {@code column} gives for each of {@code rows}, in order. Typed arrays, so that the driver sends
   * them in binary.
   */
  static <T> Array longs(Connection c, List<T> rows, Function<? super T, Long> column)
      throws SQLException {
    return c.createArrayOf("int8", fill(new Long[rows.size()], rows, column));
  }

  /** A column of {@code int} values; see {@link #longs}. */
  static <T> Array ints(Connection c, List<T> rows, Function<? super T, Integer> column)
      throws SQLException {
    return c.createArrayOf("int4", fill(new Integer[rows.size()], rows, column));
  }

  /** A column of strings, as {@code text[]} (the statement casts it where it needs another). */
  static <T> Array strings(Connection c, List<T> rows, Function<? super T, String> column)
      throws SQLException {
    return c.createArrayOf("text", fill(new String[rows.size()], rows, column));
  }

  private static <T, E> E[] fill(
      E[] values, List<T> rows, Function<? super T, ? extends E> column) {
    for (int i = 0; i < values.length; i++) {
      values[i] = column.apply(rows.get(i));
    }
    return values;
  }

  /**
   * Runs {@code work}, one prepared statement of several statements (the locks, then what they
   * guard), as one transaction in as few round trips as the driver allows. With the extended query
   * protocol (the driver's default) the statements go together, with no BEGIN and no COMMIT, and
   * PostgreSQL runs them as one implicit transaction that it commits at the Sync the driver sends
   * after the last: one round trip. Each statement still takes its own snapshot, after the one
   * before it has run. With {@code preferQueryMode=simple} in the database URL the driver sends
   * each statement on its own and each would commit by itself, releasing the locks before the
   * statements they guard: then {@code work} runs in a transaction of its own (two round trips).
   *
   * <p>No statement of such work may return a column of variable length (text, jsonb) before its
   * last statement: with {@code prepareThreshold=-1} the driver sends a Sync after such a
   * statement, which would commit what came before it.
   *
   * @throws SQLException when {@code connection} is already in a transaction: whoever ends it would
   *     commit the work, if anyone, and its callers would be told it is committed before it is
   */
  static <T> T inOneTransaction(Connection connection, Work<T> work) throws SQLException {
    if (!connection.getAutoCommit()) {
      throw new SQLException("the outbox needs a connection in autocommit mode");
    }
    if (connection.unwrap(PgConnection.class).getPreferQueryMode() != PreferQueryMode.SIMPLE) {
      return work.run();
    }
    connection.setAutoCommit(false);
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        // A connection that cannot roll back is broken: the pool drops it. The cause is e.
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /** Executes {@code sql} with what {@code binder} sets; returns the update count, or -1. */
  static int run(Connection connection, String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      return statement.execute() ? -1 : statement.getUpdateCount();
    }
  }
}
