package ccx.hooks.wire;

import ccx.hooks.core.Hook;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * The ids of the hook a thread is handling, put into SLF4J's MDC so that every line logged while it
 * is handled carries them: fields {@code hook}, {@code cluster_id}, {@code work_id} and {@code
 * outbox_id} of {@code --log-format json}. Close it when done (try-with-resources): threads are
 * pooled, and a line about the next hook must not carry this one's ids.
 */
public final class LogFields implements AutoCloseable {
  private final List<String> keys = new ArrayList<>(4);

  private LogFields() {}

  /** A hook being called or stored: empty ids are left out. */
  public static LogFields of(Hook hook, String clusterId, String workId) {
    LogFields fields = new LogFields();
    fields.put("hook", hook == null ? "" : hook.path());
    fields.put("cluster_id", clusterId);
    fields.put("work_id", workId);
    return fields;
  }

  /** A row of the outbox being delivered. */
  public static LogFields of(Hook hook, String clusterId, String workId, long outboxId) {
    LogFields fields = of(hook, clusterId, workId);
    fields.put("outbox_id", Long.toString(outboxId));
    return fields;
  }

  private void put(String key, String value) {
    if (value != null && !value.isEmpty()) {
      MDC.put(key, value);
      keys.add(key);
    }
  }

  @Override
  public void close() {
    keys.forEach(MDC::remove);
  }
}
