package ccx.hooks.outbox;

import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;

import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Claimed rows that no attempt could ever deliver: each fails alone, with its reason. */
record PoisonRows(DSLContext dsl, DatabaseClock clock) {
  private static final Logger log = LoggerFactory.getLogger(PoisonRows.class);
  private static final Field<String> DELIVERING = DSL.inline(OutboxStatus.DELIVERING.column());
  private static final Field<String> FAILED = DSL.inline(OutboxStatus.FAILED.column());

  /**
   * A claimed row the relay cannot deliver for a reason of its own (a hook it does not know, e.g.
   * written by a newer version or by hand; a payload that is not a JSON object) becomes failed
   * alone, with the reason, and lets the next row of its cluster go, so the rest of its claim and
   * of its cluster is delivered. Nothing was sent: the attempt the claim counted is taken back.
   */
  Optional<OutboxRow> readableOrFailed(OutboxRow r) {
    String reason;
    if (r.hook() == null) {
      reason = "unknown hook '" + r.hookPath() + "' in row " + r.id();
    } else if (!r.payload().startsWith("{")) {
      reason = "payload is not a JSON object";
    } else {
      return Optional.of(r);
    }
    String error = "the relay cannot deliver this row: " + reason;
    ConcurrentMove.retry(
        () ->
            dsl.transactionResult(
                tx -> {
                  DSLContext t = tx.dsl();
                  ClusterHeads.lock(t, List.of(r.clusterId()));
                  int failed =
                      t.update(HOOK_OUTBOX)
                          .set(HOOK_OUTBOX.STATUS, FAILED)
                          .set(HOOK_OUTBOX.ATTEMPTS, HOOK_OUTBOX.ATTEMPTS.minus(1))
                          .setNull(HOOK_OUTBOX.LOCKED_BY)
                          .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
                          .setNull(HOOK_OUTBOX.LAST_HTTP_STATUS)
                          .set(HOOK_OUTBOX.LAST_ERROR, Attempts.storable(error))
                          .where(
                              HOOK_OUTBOX.ID.eq(r.id()),
                              HOOK_OUTBOX.STATUS.eq(DELIVERING),
                              HOOK_OUTBOX.LOCKED_BY.eq(r.lockedBy()),
                              HOOK_OUTBOX.LAST_ATTEMPT_AT.eq(r.lastAttemptAt()))
                          .execute();
                  if (failed == 1) {
                    ClusterHeads.promote(t, List.of(r.clusterId()), clock);
                  }
                  return failed;
                }));
    log.warn(
        "Outbox row #{} (hook '{}') failed: {}; fix or delete it, then replay it with:"
            + " ccx-hook-service replay --id {}",
        r.id(),
        r.hookPath(),
        error,
        r.id());
    return Optional.empty();
  }
}
