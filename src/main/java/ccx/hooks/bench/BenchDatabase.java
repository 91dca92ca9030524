package ccx.hooks.bench;

import ccx.hooks.core.RelayException;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A database of the bench's own on the given server, migrated, with the outbox repository over it;
 * dropped on close unless kept. Each group of scenarios gets a fresh one, so one scenario's rows
 * never change another's figures.
 */
final class BenchDatabase implements AutoCloseable {
  private final DatabaseUrl server;
  private final String name;
  private final boolean keep;
  private final PrintWriter progress;
  private final Database database;
  private final OutboxRepository outbox;

  private BenchDatabase(DatabaseUrl server, String name, boolean keep, PrintWriter progress) {
    this.server = server;
    this.name = name;
    this.keep = keep;
    this.progress = progress;
    this.database = Database.openForTools(server.withDatabase(name), 4);
    this.outbox = new OutboxRepository(database.dsl(), DatabaseClock.system());
  }

  static BenchDatabase create(DatabaseUrl server, boolean keep, PrintWriter progress) {
    String name = "ccx_hook_bench_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = server.connect(Map.of())) {
      DSL.using(c, SQLDialect.POSTGRES).execute("CREATE DATABASE {0}", DSL.name(name));
    } catch (SQLException | org.jooq.exception.DataAccessException e) {
      throw new RelayException(
          "bench needs to create a database on " + server.display() + ": " + e.getMessage(), e);
    }
    BenchDatabase created = new BenchDatabase(server, name, keep, progress);
    created.database.migrate();
    return created;
  }

  DatabaseUrl url() {
    return database.url();
  }

  OutboxRepository outbox() {
    return outbox;
  }

  @Override
  public void close() {
    database.close();
    if (keep) {
      progress.println("kept the bench database " + name);
      return;
    }
    try (Connection c = server.connect(Map.of())) {
      DSL.using(c, SQLDialect.POSTGRES)
          .execute("DROP DATABASE IF EXISTS {0} WITH (FORCE)", DSL.name(name));
    } catch (SQLException | org.jooq.exception.DataAccessException e) {
      progress.println("could not drop the bench database " + name + ": " + e.getMessage());
    }
  }
}
