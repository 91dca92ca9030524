package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A caller that is refused a thousand times a second must not write a thousand log lines. */
class ThrottledLogTest {
  @Test
  void a_flood_is_cut_to_the_lines_per_second_and_the_next_line_counts_what_was_left_out()
      throws Exception {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(ThrottledLogTest.class);
    logger.addAppender(appender);
    try {
      ThrottledLog log = new ThrottledLog(ThrottledLogTest.class);
      for (int i = 0; i < 1000; i++) {
        log.warn("refused " + i);
      }
      assertThat(appender.list).hasSizeLessThanOrEqualTo(ThrottledLog.LINES_PER_SECOND * 2);

      Thread.sleep(Duration.ofMillis(1100));
      log.warn("refused again");

      String last = appender.list.getLast().getFormattedMessage();
      assertThat(last)
          .startsWith("refused again (")
          .endsWith(" similar lines left out before this)");
      // Every refusal is either a line of its own or counted in a later line.
      int lines = appender.list.size() - 1;
      int leftOut =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.contains(" similar lines left out"))
              .mapToInt(m -> Integer.parseInt(m.replaceAll(".*\\((\\d+) similar.*", "$1")))
              .sum();
      assertThat(lines + leftOut).isEqualTo(1000);
    } finally {
      logger.detachAppender(appender);
    }
  }
}
