package ccx.hooks.grpc;

import ccx.hooks.db.Database;
import ccx.hooks.outbox.OutboxUnavailableException;
import ccx.hooks.prehook.NoticeNotQueuedException;
import ccx.hooks.prehook.PreHookException;

/**
 * What a caller is told when a hook could not be relayed or stored. The relay's own messages carry
 * the integrator's address, the database's host and user and the driver's words: the log has them
 * (where the operator reads them), the caller gets only what kind of failure it was, read from the
 * exception's typed facts ({@link PreHookException#summary()}, {@link
 * OutboxUnavailableException#reason()}), never from its message.
 */
final class CallerMessages {
  static final String DATABASE_READ_ONLY =
      "the outbox database is read-only (a standby, or a failover under way); nothing was stored,"
          + " retry later";

  static final String DATABASE_UNAVAILABLE =
      "the outbox database is unavailable; nothing was stored, retry later"
          + " (the relay's log says why)";

  static final String STOPPING = "the relay is stopping: could not store the hook";

  private CallerMessages() {}

  static String of(PreHookException e) {
    return e.hook().path() + " hook failed: " + e.summary();
  }

  static String of(NoticeNotQueuedException e) {
    return e.notSent().hook().path()
        + " hook failed ("
        + e.notSent().summary()
        + ") and could not be queued: "
        + of(e.notQueued());
  }

  static String of(OutboxUnavailableException e) {
    return switch (e.reason()) {
      case STOPPING -> STOPPING;
      case DATABASE -> Database.readOnly(e) ? DATABASE_READ_ONLY : DATABASE_UNAVAILABLE;
    };
  }
}
