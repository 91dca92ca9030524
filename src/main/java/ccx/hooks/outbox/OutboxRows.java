package ccx.hooks.outbox;

import ccx.hooks.outbox.schema.tables.records.HookOutboxRecord;
import ccx.hooks.wire.Hook;

/** Reads a {@code hook_outbox} record into an {@link OutboxRow}. */
final class OutboxRows {
  private OutboxRows() {}

  static OutboxRow toRow(HookOutboxRecord r) {
    return new OutboxRow(
        r.getId(),
        Hook.fromPath(r.getHook())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "unknown hook '" + r.getHook() + "' in row " + r.getId())),
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
        r.getDeliveredAt());
  }
}
