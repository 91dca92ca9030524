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
   * One column of a batch, as an array parameter of {@code unnest(?::type[], …)}: the value {@code
   * column} gives for each of {@code rows}, in order. The array is of {@code elements} (Long,
   * Integer, String), so that the driver sends it in binary, as it does a typed array.
   */
  static <T, E> Array column(
      Connection connection,
      String type,
      Class<E> elements,
      List<T> rows,
      Function<? super T, ? extends E> column)
      throws SQLException {
    @SuppressWarnings("unchecked")
    E[] values = (E[]) java.lang.reflect.Array.newInstance(elements, rows.size());
    for (int i = 0; i < values.length; i++) {
      values[i] = column.apply(rows.get(i));
    }
    return connection.createArrayOf(type, values);
  }

  /** Executes {@code sql} with what {@code binder} sets; returns the update count, or -1. */
  static int run(Connection connection, String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      return statement.execute() ? -1 : statement.getUpdateCount();
    }
  }
}
