package ccx.hooks.cli;

import ccx.hooks.core.ConfigException;
import ccx.hooks.db.Database;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import java.sql.Connection;
import java.sql.SQLException;

/** The outbox, opened by a client command (outbox, replay, migrate) for one short job. */
final class OutboxAccess implements AutoCloseable {
  final Database database;
  final OutboxRepository outbox;

  private OutboxAccess(Database database) {
    this.database = database;
    this.outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
  }

  static OutboxAccess open(DatabaseOption option) {
    if (!option.isSet()) {
      throw new ConfigException("--database-url is required (or CCX_HOOK_DATABASE_URL)");
    }
    return new OutboxAccess(Database.openForTools(option.parse(), 2));
  }

  /**
   * Whether the database takes writes. A command that writes asks first: with nothing to change, a
   * standby would let it report success, and the operator would go on against a database that
   * cannot store a hook.
   */
  boolean writable() throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      return Database.readOnlyReason(connection).isEmpty();
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
