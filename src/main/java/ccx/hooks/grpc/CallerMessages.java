package ccx.hooks.grpc;

import ccx.hooks.outbox.OutboxUnavailableException;
import ccx.hooks.prehook.PreHookException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a caller is told when a hook could not be relayed or stored. The relay's own messages carry
 * the integrator's address, the database's host and user and the driver's words: the log has them
 * (where the operator reads them), the caller gets only what kind of failure it was. Causes are
 * passed on only when they match a known, harmless shape; anything else becomes a general phrase.
 */
final class CallerMessages {
  /** Causes of a pre-hook failure made only of the relay's words, numbers and a status code. */
  private static final List<Pattern> HARMLESS_CAUSES =
      List.of(
          Pattern.compile("integrator answered HTTP \\d{3}"),
          Pattern.compile("no answer within \\d+ms \\(timeout\\)"),
          Pattern.compile("HTTP \\d{3} answer larger than \\d+ bytes"));

  /** A 2xx whose body is not usable; what follows the colon quotes the body. */
  private static final Pattern BAD_BODY =
      Pattern.compile("(HTTP \\d{3} but answer [a-zA-Z ]+)(:.*)?");

  /** PreHookRelay's message when a hook that cannot reject could neither be sent nor queued. */
  private static final Pattern NOT_QUEUED =
      Pattern.compile(
          "([a-z-]+) hook failed \\((.*)\\) and could not be queued: .*", Pattern.DOTALL);

  private static final String DATABASE_READ_ONLY =
      "the outbox database is read-only (a standby, or a failover under way); nothing was stored,"
          + " retry later";

  private static final String DATABASE_UNAVAILABLE =
      "the outbox database is unavailable; nothing was stored, retry later"
          + " (the relay's log says why)";

  private CallerMessages() {}

  static String of(PreHookException e) {
    return e.hook().path() + " hook failed: " + cause(e.cause());
  }

  static String of(OutboxUnavailableException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("the relay is stopping")) {
      return message;
    }
    if (ccx.hooks.db.Database.readOnly(e)) {
      return DATABASE_READ_ONLY;
    }
    Matcher notQueued = NOT_QUEUED.matcher(message);
    if (notQueued.matches()) {
      return notQueued.group(1)
          + " hook failed ("
          + cause(notQueued.group(2))
          + ") and could not be queued: "
          + DATABASE_UNAVAILABLE;
    }
    return DATABASE_UNAVAILABLE;
  }

  /** A pre-hook failure's cause, as a caller may read it. */
  static String cause(String cause) {
    for (Pattern harmless : HARMLESS_CAUSES) {
      if (harmless.matcher(cause).matches()) {
        return cause;
      }
    }
    Matcher badBody = BAD_BODY.matcher(cause);
    if (badBody.matches()) {
      return badBody.group(1);
    }
    if (cause.startsWith("circuit breaker open")) {
      return "circuit breaker open: the integrator failed recently and was not called";
    }
    if (cause.startsWith("connection failed")) {
      return "connection failed (the relay's log says why)";
    }
    if (cause.startsWith("TLS error")) {
      return "TLS error (the relay's log says why)";
    }
    return "no usable answer (the relay's log says why)";
  }
}
