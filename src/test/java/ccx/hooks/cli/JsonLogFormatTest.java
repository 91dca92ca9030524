package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.core.Hook;
import ccx.hooks.wire.LogFields;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON line layout of {@code --log-format json}, written by the encoder serve uses into a
 * logger context of the test's own (the process's logging is left alone).
 */
class JsonLogFormatTest {
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final Logger log = logger();

  private Logger logger() {
    LoggerContext context = new LoggerContext();
    // The MDC that LogFields writes to, the process's.
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    context.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(Logging.jsonEncoder(context));
    appender.setOutputStream(written);
    appender.start();
    Logger logger = context.getLogger("ccx.hooks.delivery.OutboxDrainer");
    logger.addAppender(appender);
    return logger;
  }

  private List<JsonNode> lines() {
    JsonMapper json = JsonMapper.builder().build();
    return written.toString(StandardCharsets.UTF_8).lines().map(json::readTree).toList();
  }

  @Test
  void a_line_has_an_iso_timestamp_level_logger_thread_and_message_and_nothing_internal() {
    log.info("Outbox drainer started");
    JsonNode line = lines().get(0);
    assertThat(
            OffsetDateTime.parse(line.path("@timestamp").asString()).getOffset().getTotalSeconds())
        .isZero();
    assertThat(line.path("level").asString()).isEqualTo("INFO");
    assertThat(line.path("logger").asString()).isEqualTo("ccx.hooks.delivery.OutboxDrainer");
    assertThat(line.path("thread").asString()).isEqualTo(Thread.currentThread().getName());
    assertThat(line.path("message").asString()).isEqualTo("Outbox drainer started");
    assertThat(line.propertyNames())
        .containsExactlyInAnyOrder("@timestamp", "level", "logger", "thread", "message");
  }

  @Test
  void a_stack_trace_is_one_field_of_one_line() {
    IllegalStateException failure =
        new IllegalStateException("outer", new java.io.IOException("connection reset"));
    log.warn("Could not record the outcome", failure);
    List<JsonNode> lines = lines();
    assertThat(lines).hasSize(1);
    String trace = lines.get(0).path("stack_trace").asString();
    assertThat(trace)
        .contains("java.lang.IllegalStateException: outer")
        .contains("Caused by: java.io.IOException: connection reset")
        .contains("at ccx.hooks.cli.JsonLogFormatTest");
  }

  @Test
  @SuppressWarnings("try") // the log fields are only closed, never read
  void the_ids_of_the_hook_being_handled_are_fields_until_it_is_done() {
    try (LogFields fields = LogFields.of(Hook.POST_ADD_NODE, "c-17", "w-42", 1234L)) {
      log.info("post-add-node #1234 attempt 1 failed (HTTP 503)");
    }
    try (LogFields fields = LogFields.of(Hook.PRE_CREATE_CLUSTER, "c-18", "")) {
      log.warn("pre-create-cluster failed");
    }
    log.info("between hooks");
    List<JsonNode> lines = lines();
    assertThat(lines.get(0).path("hook").asString()).isEqualTo("post-add-node");
    assertThat(lines.get(0).path("cluster_id").asString()).isEqualTo("c-17");
    assertThat(lines.get(0).path("work_id").asString()).isEqualTo("w-42");
    assertThat(lines.get(0).path("outbox_id").asString()).isEqualTo("1234");
    assertThat(lines.get(1).path("hook").asString()).isEqualTo("pre-create-cluster");
    assertThat(lines.get(1).has("work_id")).as("an empty id is left out").isFalse();
    assertThat(lines.get(1).has("outbox_id")).isFalse();
    assertThat(lines.get(2).has("hook")).as("the fields end with the hook").isFalse();
    assertThat(lines.get(2).has("cluster_id")).isFalse();
  }
}
