package ccx.hooks.cli;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %escapedMsg} in logback.xml: the log message with control characters written as escapes (a
 * line feed as backslash-n, an escape character as backslash-u001b). Ids in log lines come from
 * callers; a cluster_id holding a line break or a terminal escape must not forge a second log line
 * or repaint an operator's terminal. The JSON format needs no such care: its encoder escapes them
 * already.
 */
public final class EscapedMessage extends ClassicConverter {
  private static final char LINE_SEPARATOR = 0x2028;
  private static final char PARAGRAPH_SEPARATOR = 0x2029;

  @Override
  public String convert(ILoggingEvent event) {
    return escape(event.getFormattedMessage());
  }

  static String escape(String message) {
    if (message == null) {
      return "null";
    }
    StringBuilder escaped = null;
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean control =
          c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == LINE_SEPARATOR || c == PARAGRAPH_SEPARATOR;
      if (!control) {
        if (escaped != null) {
          escaped.append(c);
        }
        continue;
      }
      if (escaped == null) {
        escaped = new StringBuilder(message.length() + 16).append(message, 0, i);
      }
      switch (c) {
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\t' -> escaped.append("\\t");
        default -> escaped.append(String.format("\\u%04x", (int) c));
      }
    }
    return escaped == null ? message : escaped.toString();
  }
}
