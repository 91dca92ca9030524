package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.schema.tables.records.HookOutboxRecord;

/** Reads a {@code hook_outbox} record into an {@link OutboxRow}. */
final class OutboxRows {
  private OutboxRows() {}

  /** A row to show: an operator must be able to see (and replay) a row no relay can deliver. */
  static OutboxRow toRowForDisplay(HookOutboxRecord r) {
    return toRow(r, Hook.fromPath(r.getHook()).orElse(null));
  }

  private static OutboxRow toRow(HookOutboxRecord r, Hook hook) {
    return new OutboxRow(
        r.getId(),
        hook,
        r.getHook(),
        r.getWorkId(),
        r.getClusterId(),
        r.getPayload().data(),
        r.getWebhookId(),
        OutboxStatus.fromColumn(r.getStatus()),
        r.getAttempts(),
        r.getLockedBy(),
        r.getLockedUntil(),
        r.getNextAttemptAt(),
        r.getLastAttemptAt(),
        r.getLastHttpStatus(),
        r.getLastError(),
        r.getCreatedAt(),
        r.getReplayedAt(),
        r.getDeliveredAt(),
        r.getTraceparent());
  }
}
