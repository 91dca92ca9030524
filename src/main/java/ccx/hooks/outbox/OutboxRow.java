package ccx.hooks.outbox;

import ccx.hooks.wire.Hook;
import java.time.OffsetDateTime;

/** One row of {@code hook_outbox}. Nullable columns are null here too. */
public record OutboxRow(
    long id,
    Hook hook,
    String workId,
    String clusterId,
    String payload,
    String webhookId,
    OutboxStatus status,
    int attempts,
    String lockedBy,
    OffsetDateTime lockedUntil,
    OffsetDateTime nextAttemptAt,
    OffsetDateTime lastAttemptAt,
    Integer lastHttpStatus,
    String lastError,
    OffsetDateTime createdAt,
    OffsetDateTime replayedAt,
    OffsetDateTime deliveredAt) {

  /** How a log line names this row: hook, id, cluster and work id. */
  public String describe() {
    return hook.path() + " #" + id + " (cluster '" + clusterId + "', work_id '" + workId + "')";
  }
}
