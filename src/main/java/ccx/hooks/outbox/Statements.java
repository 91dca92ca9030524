package ccx.hooks.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

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

  /** Executes {@code sql} with what {@code binder} sets; returns the update count, or -1. */
  static int run(Connection connection, String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      return statement.execute() ? -1 : statement.getUpdateCount();
    }
  }
}
