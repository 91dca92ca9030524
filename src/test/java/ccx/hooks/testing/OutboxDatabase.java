package ccx.hooks.testing;

import static ccx.hooks.outbox.schema.Tables.HOOK_DELIVERY_ATTEMPT;
import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;

import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.DatabaseClock;
import ccx.hooks.outbox.OutboxRepository;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A migrated database of the class's own, with an empty outbox before each test, a settable clock
 * and a repository on it. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
 * }</pre>
 *
 * <p>One database per class, not per test: creating and migrating one takes far longer than the
 * TRUNCATE that empties it. The clock and repository are new for each test, so time a test moved
 * forward never leaks into the next.
 */
public final class OutboxDatabase
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private final Optional<String> timeZone;
  private final Optional<Consumer<DatabaseUrl>> migration;
  private Database database;
  private DatabaseClock clock;
  private OutboxRepository outbox;

  public OutboxDatabase() {
    this(Optional.empty());
  }

  /** Sessions in {@code timeZone} (e.g. "Asia/Kolkata"), when present; see {@link TestDatabase}. */
  public OutboxDatabase(Optional<String> timeZone) {
    this(timeZone, Optional.empty());
  }

  private OutboxDatabase(Optional<String> timeZone, Optional<Consumer<DatabaseUrl>> migration) {
    this.timeZone = timeZone;
    this.migration = migration;
  }

  /**
   * A database that {@code migration} migrates from empty, for tests of the way it is migrated (the
   * {@code migrate} command); it should fail the class when migrating fails.
   */
  public static OutboxDatabase migratedBy(Consumer<DatabaseUrl> migration) {
    return new OutboxDatabase(Optional.empty(), Optional.of(migration));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    open();
    empty();
    newClock();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * Closes the database; safe to repeat. JUnit calls {@link #afterAll} only for an extension on a
   * static field, so a class that registers one on an instance field closes it itself.
   */
  public void close() {
    if (database != null) {
      database.close();
      database = null;
    }
  }

  private void open() {
    if (database == null) {
      database = migration.isPresent() ? migrated(migration.get()) : TestDatabase.create(timeZone);
      newClock();
    }
  }

  private void newClock() {
    clock = DatabaseClock.system();
    outbox = new OutboxRepository(database.dsl(), clock);
  }

  private static Database migrated(Consumer<DatabaseUrl> migration) {
    DatabaseUrl url = TestDatabase.createDatabase();
    migration.accept(url);
    return Database.open(url, 2);
  }

  /**
   * Empties the outbox; hook_outbox is partitioned, and TRUNCATE on it empties each partition. A
   * TRUNCATE gives every partition and index a new file, which takes tens of milliseconds; most
   * tests leave the outbox empty, and for them a look that finds it so is enough.
   */
  public void empty() {
    DSLContext dsl = database.dsl();
    if (dsl.fetchExists(HOOK_OUTBOX) || dsl.fetchExists(HOOK_DELIVERY_ATTEMPT)) {
      dsl.execute("TRUNCATE hook_outbox, hook_delivery_attempt");
    }
  }

  /** The class's database, open from before its first test to after its last. */
  public Database database() {
    return database;
  }

  /** Where the class's database is, for a relay or command that opens its own connections. */
  public DatabaseUrl url() {
    return database.url();
  }

  /** For the plain SQL a test reads the outbox with, as an operator would. */
  public DSLContext dsl() {
    return database.dsl();
  }

  /** This test's clock: {@link DatabaseClock#advance} moves {@link #outbox()}'s time. */
  public DatabaseClock clock() {
    return clock;
  }

  /** This test's repository, on {@link #clock()}. */
  public OutboxRepository outbox() {
    return outbox;
  }
}
