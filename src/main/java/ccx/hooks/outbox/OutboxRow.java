package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.time.OffsetDateTime;

/**
 * One row of {@code hook_outbox}. Nullable columns are null here too.
 *
 * @param hook the hook, or null in a row read for display whose {@code hook} this relay does not
 *     know (written by a newer version, or by hand); a claimed row always has one
 * @param hookPath the {@code hook} column as stored
 * @param traceparent the W3C {@code traceparent} of the call that stored the row, or null
 */
public record OutboxRow(
    long id,
    Hook hook,
    String hookPath,
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
    OffsetDateTime deliveredAt,
    String traceparent) {

  /** How a log line names this row: hook, id, cluster and work id. */
  public String describe() {
    return hookPath + " #" + id + " (cluster '" + clusterId + "', work_id '" + workId + "')";
  }
}
