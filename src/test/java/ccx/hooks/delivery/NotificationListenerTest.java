package ccx.hooks.delivery;

import static org.awaitility.Awaitility.await;

import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.TcpProxy;
import ccx.hooks.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The LISTEN connection after its server vanished without closing it (a crashed host, an address
 * moved to a new primary): the listener notices and listens again on a new connection, instead of
 * reading a silent socket until TCP keepalive gives up.
 */
class NotificationListenerTest {

  @Test
  void a_listen_connection_that_went_silent_is_replaced_and_notifications_arrive_again()
      throws Exception {
    InetSocketAddress server = TestDatabase.serverAddress();
    try (Database database = TestDatabase.create();
        TcpProxy proxy = new TcpProxy(server.getHostString(), server.getPort())) {
      DatabaseUrl viaProxy = TestDatabase.via(database.url(), proxy.port());
      AtomicInteger wakeUps = new AtomicInteger();
      NotificationListener listener =
          new NotificationListener(viaProxy, wakeUps::incrementAndGet, Duration.ofSeconds(1));
      try {
        listener.start();
        // One wake-up on each (re)connection, for what was missed meanwhile.
        await().atMost(Duration.ofSeconds(10)).until(() -> wakeUps.get() >= 1);

        proxy.silenceOpenConnections();
        int beforeSilence = wakeUps.get();
        await("a wake-up from a new connection")
            .atMost(Duration.ofSeconds(15))
            .until(() -> wakeUps.get() > beforeSilence);

        int afterReconnect = wakeUps.get();
        notify(database.url());
        await("the notification, over the new connection")
            .atMost(Duration.ofSeconds(5))
            .until(() -> wakeUps.get() > afterReconnect);
      } finally {
        listener.close();
      }
    }
  }

  private static void notify(DatabaseUrl url) throws SQLException {
    try (Connection c = url.connect(Map.of());
        Statement s = c.createStatement()) {
      s.execute("NOTIFY " + OutboxRepository.CHANNEL);
    }
  }
}
