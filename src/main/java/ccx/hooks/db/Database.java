package ccx.hooks.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** The relay's PostgreSQL: a connection pool, the migrations, and a jOOQ context over them. */
public final class Database implements AutoCloseable {
  /** Pool size when none is given: the drainer's completions plus concurrent post-hook calls. */
  public static final int DEFAULT_POOL_SIZE = 24;

  /**
   * How long a caller waits for a connection. Short on purpose: while the database is down a
   * post-hook must answer UNAVAILABLE quickly, not hang until the caller's deadline.
   */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  /**
   * SQLSTATE read_only_sql_transaction: what a standby (or a server set read-only) answers to every
   * write. Such a connection is up but cannot store a hook.
   */
  public static final String READ_ONLY_STATE = "25006";

  static {
    // jOOQ prints a banner and tips on first use; a relay's log is for operators.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  private final DatabaseUrl url;
  private final HikariDataSource pool;
  private final DSLContext dsl;

  private Database(DatabaseUrl url, HikariDataSource pool) {
    this.url = url;
    this.pool = pool;
    this.dsl = DSL.using(pool, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /**
   * How long a relay waits for the database to answer one statement before it gives up on the
   * connection. Every statement a relay runs is short; this is what turns a database that stopped
   * answering (a network partition, a hung server) into a fast UNAVAILABLE instead of a call that
   * hangs until the caller's deadline.
   */
  public static final Duration RELAY_SOCKET_TIMEOUT = Duration.ofSeconds(5);

  /**
   * For the relay: statements are short, so a silent database is given up on quickly. The pool is
   * opened without connecting, so the relay starts (and reports not ready) while the database is
   * still down.
   */
  public static Database open(DatabaseUrl url, int poolSize) {
    return open(url, poolSize, RELAY_SOCKET_TIMEOUT);
  }

  /** For operators' commands (replay, outbox): a replay of many rows may legitimately take long. */
  public static Database openForTools(DatabaseUrl url, int poolSize) {
    return open(url, poolSize, Duration.ZERO);
  }

  private static Database open(DatabaseUrl url, int poolSize, Duration socketTimeout) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("ccx-hook-db");
    config.setJdbcUrl(url.jdbcUrl());
    url.user().ifPresent(config::setUsername);
    url.password().ifPresent(config::setPassword);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(4, poolSize));
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(Duration.ofSeconds(1).toMillis());
    config.setInitializationFailTimeout(-1);
    // A query that hangs on a half-dead server fails instead of holding a gRPC call forever.
    config.addDataSourceProperty("socketTimeout", Long.toString(socketTimeout.toSeconds()));
    config.addDataSourceProperty("connectTimeout", "3");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("ApplicationName", "ccx-hook-service");
    config.setExceptionOverride(new EvictReadOnly());
    return new Database(url, new HikariDataSource(config));
  }

  /**
   * Hikari drops a connection on connection errors (08xxx) but keeps one that answers "read-only":
   * after a failover by DNS or a virtual IP, or with a URL without {@code targetServerType}, every
   * write on it would fail until it is closed. Dropped, it is replaced by a connection to whichever
   * server is the primary now.
   */
  private static final class EvictReadOnly implements SQLExceptionOverride {
    @java.lang.Override
    public Override adjudicate(SQLException e) {
      return READ_ONLY_STATE.equals(e.getSQLState())
          ? Override.MUST_EVICT
          : Override.CONTINUE_EVICT;
    }
  }

  /** True when {@code e}, or what caused it, is a write refused by a read-only server. */
  public static boolean readOnly(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException sql && READ_ONLY_STATE.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** What an operator given {@link #readOnly} should do about it. */
  public static final String READ_ONLY_HINT =
      "the database is read-only (a standby?): give the primary's address, or every host"
          + " (postgres://user@h1:5432,h2:5432/db) to connect to whichever is the primary";

  /**
   * Why hooks cannot be stored over {@code connection}, if they cannot. A standby accepts
   * connections and answers reads, so a valid connection alone does not make a healthy relay.
   */
  public static Optional<String> readOnlyReason(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")) {
      r.next();
      if (r.getBoolean(1)) {
        return Optional.of("database is a standby (in recovery): hooks cannot be stored there");
      }
      return "on".equals(r.getString(2))
          ? Optional.of(
              "database is read-only (default_transaction_read_only): hooks cannot be stored")
          : Optional.empty();
    }
  }

  /** Applies the migrations in {@code db/migration}; returns how many were applied now. */
  public int migrate() {
    MigrateResult result = flyway().migrate();
    return result.migrationsExecuted;
  }

  /** True when every migration this build knows of has been applied. */
  public boolean migrated() {
    return flyway().info().pending().length == 0;
  }

  /**
   * Flyway gets connections of its own, without the pool's socket timeout: a migration on a large
   * table may run for minutes.
   */
  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user().orElse(null), url.password().orElse(null))
        .connectRetries(0)
        .locations("classpath:db/migration")
        .loggers("slf4j")
        .load();
  }

  public DSLContext dsl() {
    return dsl;
  }

  public DataSource dataSource() {
    return pool;
  }

  public DatabaseUrl url() {
    return url;
  }

  @Override
  public void close() {
    pool.close();
  }
}
