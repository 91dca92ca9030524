package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Ids come from callers: a cluster_id with a line break or a terminal escape must not forge a log
 * line nor reach an operator's terminal raw.
 */
class EscapedMessageTest {
  @Test
  void control_characters_are_written_as_escapes_and_the_rest_is_kept() {
    assertThat(EscapedMessage.escape("cluster 'c-1\nINFO forged line' \u001b[2J\r\t\u0085\u2028 é"))
        .isEqualTo("cluster 'c-1\\nINFO forged line' \\u001b[2J\\r\\t\\u0085\\u2028 é");
    assertThat(EscapedMessage.escape("plain")).isSameAs("plain");
  }

  @Test
  void the_configured_text_log_pattern_escapes_messages() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger logger = context.getLogger(EscapedMessageTest.class);
    var appender =
        (ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console");
    var encoder = (ch.qos.logback.classic.encoder.PatternLayoutEncoder) appender.getEncoder();
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            logger,
            Level.WARN,
            "pre-add-node for cluster '{}' rejected",
            null,
            new Object[] {"c-1\n2026-01-01 INFO forged"});

    String line = new String(encoder.encode(event), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(line.lines()).hasSize(1);
    assertThat(line).contains("cluster 'c-1\\n2026-01-01 INFO forged' rejected");
  }
}
