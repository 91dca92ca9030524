package ccx.hooks.outbox;

import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;

import java.time.OffsetDateTime;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Puts rows back to be delivered with a fresh budget of attempts and age. A replayed row goes back
 * into its cluster's order: it is queued, and becomes the head at once when its cluster has none,
 * earliest id first, so an old row replayed goes before the newer rows still waiting.
 */
record Replays(DSLContext dsl, DatabaseClock clock) {
  int replay(ReplayFilter filter, boolean dryRun) {
    Condition which = condition(filter);
    if (dryRun) {
      return dsl.fetchCount(HOOK_OUTBOX, which);
    }
    return ConcurrentMove.retry(
        () ->
            dsl.transactionResult(
                tx -> {
                  DSLContext t = tx.dsl();
                  List<String> clusters =
                      t.selectDistinct(HOOK_OUTBOX.CLUSTER_ID)
                          .from(HOOK_OUTBOX)
                          .where(which)
                          .fetch(HOOK_OUTBOX.CLUSTER_ID);
                  ClusterHeads.lock(t, clusters);
                  Field<OffsetDateTime> now = clock.now();
                  int replayed =
                      t.update(HOOK_OUTBOX)
                          .set(
                              HOOK_OUTBOX.STATUS,
                              DSL.when(HOOK_OUTBOX.CLUSTER_ID.eq(""), OutboxStatus.PENDING.column())
                                  .otherwise(OutboxStatus.QUEUED.column()))
                          .set(HOOK_OUTBOX.ATTEMPTS, 0)
                          .set(HOOK_OUTBOX.NEXT_ATTEMPT_AT, now)
                          .set(HOOK_OUTBOX.REPLAYED_AT, now)
                          .setNull(HOOK_OUTBOX.LOCKED_BY)
                          .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
                          .setNull(HOOK_OUTBOX.DELIVERED_AT)
                          .where(which)
                          .execute();
                  ClusterHeads.promote(t, clusters, clock);
                  if (replayed > 0) {
                    t.select(
                            DSL.function(
                                "pg_notify",
                                Object.class,
                                DSL.val(OutboxRepository.CHANNEL),
                                DSL.val("")))
                        .fetch();
                  }
                  return replayed;
                }));
  }

  private static Condition condition(ReplayFilter filter) {
    if (!filter.ids().isEmpty()) {
      return HOOK_OUTBOX.ID.in(filter.ids());
    }
    Condition which = HOOK_OUTBOX.STATUS.eq(DSL.inline(OutboxStatus.FAILED.column()));
    which =
        which.and(filter.hook().map(h -> HOOK_OUTBOX.HOOK.eq(h.path())).orElse(DSL.noCondition()));
    which = which.and(filter.clusterId().map(HOOK_OUTBOX.CLUSTER_ID::eq).orElse(DSL.noCondition()));
    which = which.and(filter.workId().map(HOOK_OUTBOX.WORK_ID::eq).orElse(DSL.noCondition()));
    return which.and(filter.since().map(HOOK_OUTBOX.CREATED_AT::ge).orElse(DSL.noCondition()));
  }
}
