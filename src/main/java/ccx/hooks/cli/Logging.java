package ccx.hooks.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.LoggerFactory;

/**
 * Switches the log (on standard error, see logback.xml) between text and JSON lines.
 *
 * <p>JSON lines use the Logstash layout, which Logstash, Fluent Bit, Vector, Loki and Elastic's
 * agents read without configuration: {@code @timestamp} (ISO-8601, UTC), {@code level}, {@code
 * logger}, {@code thread}, {@code message}, {@code stack_trace} (the whole trace in one field), and
 * the MDC fields {@code hook}, {@code cluster_id}, {@code work_id}, {@code outbox_id} where known
 * (see {@link ccx.hooks.wire.LogFields}). ECS's dotted names ({@code log.level}, {@code
 * error.stack_trace}) suit only Elasticsearch, and Logback's own JsonEncoder writes its internal
 * event (epoch milliseconds, sequence numbers, the logger context on every line).
 */
final class Logging {
  /** {@code --log-format}. */
  enum Format {
    TEXT,
    JSON
  }

  private static final String IGNORE = "[ignore]";

  private Logging() {}

  static void use(Format format) {
    if (format != Format.JSON) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("json");
    appender.setTarget("System.err");
    appender.setEncoder(jsonEncoder(context));
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  static LogstashEncoder jsonEncoder(LoggerContext context) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.setTimeZone("UTC");
    // The logger context's properties (host name and such) belong to the shipper, not each line.
    encoder.setIncludeContext(false);
    LogstashFieldNames names = new LogstashFieldNames();
    names.setLogger("logger");
    names.setThread("thread");
    names.setLevelValue(IGNORE);
    names.setVersion(IGNORE);
    encoder.setFieldNames(names);
    encoder.start();
    return encoder;
  }

  /** For client commands: only warnings and errors, so their output is theirs alone. */
  static void quiet() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
  }
}
