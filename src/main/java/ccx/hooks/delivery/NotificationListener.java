package ccx.hooks.delivery;

import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.OutboxRepository;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the outbox channel over its own connection, outside the pool (a pooled connection
 * would be handed to other work between reads and lose its LISTEN), and calls {@code onNotify} for
 * each batch of notifications. While the connection is down it retries; the drainer's poll covers
 * the gap, and a reconnect triggers one wake-up for anything missed meanwhile.
 */
final class NotificationListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
  private static final Duration READ_WAIT = Duration.ofMillis(500);
  private static final Duration RECONNECT_WAIT = Duration.ofSeconds(2);

  /**
   * How long the connection may stay silent before it is asked whether it still answers. A server
   * that vanished without closing the connection (a crashed host, an address moved to the new
   * primary) leaves the listener reading a socket that never answers, until TCP keepalive gives up
   * (two hours by default); deliveries would wait for the poll all that time.
   */
  static final Duration IDLE_CHECK = Duration.ofSeconds(10);

  private static final int CHECK_TIMEOUT_SECONDS = 2;

  private final DatabaseUrl url;
  private final Runnable onNotify;
  private final Duration idleCheck;
  private final Thread thread;

  /**
   * Counted down by {@link #close()}: a latch rather than a flag, so that a close ends the pause
   * before a reconnect at once instead of waiting it out.
   */
  private final CountDownLatch closed = new CountDownLatch(1);

  private volatile Connection connection;

  NotificationListener(DatabaseUrl url, Runnable onNotify) {
    this(url, onNotify, IDLE_CHECK);
  }

  NotificationListener(DatabaseUrl url, Runnable onNotify, Duration idleCheck) {
    this.url = url;
    this.onNotify = onNotify;
    this.idleCheck = idleCheck;
    this.thread = Thread.ofPlatform().daemon().name("outbox-listener").unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  private void run() {
    boolean warned = false;
    while (running()) {
      try (Connection c = connect()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + OutboxRepository.CHANNEL);
        }
        if (warned) {
          log.info("Outbox notifications resumed");
          warned = false;
        }
        onNotify.run();
        PGConnection pg = c.unwrap(PGConnection.class);
        long heardAt = System.nanoTime();
        while (running()) {
          PGNotification[] notifications = pg.getNotifications((int) READ_WAIT.toMillis());
          if (notifications != null && notifications.length > 0) {
            onNotify.run();
            heardAt = System.nanoTime();
          } else if (System.nanoTime() - heardAt > idleCheck.toNanos()) {
            if (!c.isValid(CHECK_TIMEOUT_SECONDS)) {
              throw new SQLException("the connection stopped answering", "08006");
            }
            heardAt = System.nanoTime();
          }
        }
      } catch (SQLException e) {
        if (running() && !warned) {
          log.warn(
              "Outbox notifications unavailable ({}); polling meanwhile, reconnecting every {}s",
              e.getMessage(),
              RECONNECT_WAIT.toSeconds());
          warned = true;
        }
        pauseBeforeReconnect();
      }
    }
  }

  private Connection connect() throws SQLException {
    return url.connect(
        Map.of(
            "ApplicationName", "ccx-hook-service listener",
            "connectTimeout", "3",
            "tcpKeepAlive", "true"));
  }

  private boolean running() {
    return closed.getCount() > 0;
  }

  /** Waits {@link #RECONNECT_WAIT}, or less when closed meanwhile. */
  private void pauseBeforeReconnect() {
    try {
      closed.await(RECONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.countDown(); // interrupted: stop, as close() would
    }
  }

  @Override
  public void close() {
    closed.countDown();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Closing a connection that is already broken: nothing left to release.
      }
    }
    try {
      thread.join(READ_WAIT.multipliedBy(4).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
