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
 *
 * <p>A replay runs in transactions of at most {@link #CLUSTERS_PER_TRANSACTION} clusters, each
 * holding those clusters' locks: an outage that failed the heads of 100,000 clusters is replayed
 * with the lock table PostgreSQL sizes by default ({@code max_locks_per_transaction} 64 per
 * connection, shared by the server), and the running relays wait for no more than one chunk's
 * clusters at a time. A cluster's rows all go in the same transaction, so its order holds; a replay
 * that stops midway has put back whole clusters, and running it again puts back the rest.
 */
record Replays(DSLContext dsl, DatabaseClock clock) {
  /** Clusters locked and replayed in one transaction. */
  static final int CLUSTERS_PER_TRANSACTION = 500;

  int replay(ReplayFilter filter, boolean dryRun) {
    Condition which = condition(filter);
    if (dryRun) {
      return dsl.fetchCount(HOOK_OUTBOX, which);
    }
    List<String> clusters =
        dsl.selectDistinct(HOOK_OUTBOX.CLUSTER_ID)
            .from(HOOK_OUTBOX)
            .where(which)
            .orderBy(HOOK_OUTBOX.CLUSTER_ID)
            .fetch(HOOK_OUTBOX.CLUSTER_ID);
    int replayed = 0;
    for (int from = 0; from < clusters.size(); from += CLUSTERS_PER_TRANSACTION) {
      List<String> chunk =
          clusters.subList(from, Math.min(from + CLUSTERS_PER_TRANSACTION, clusters.size()));
      replayed +=
          ConcurrentMove.retry(() -> dsl.transactionResult(tx -> replay(tx.dsl(), which, chunk)));
    }
    return replayed;
  }

  /** Replays the rows {@code which} selects in {@code clusters}, with those clusters locked. */
  private int replay(DSLContext t, Condition which, List<String> clusters) {
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
            // Only the clusters locked: a row of another cluster that matches by now waits for a
            // chunk of its own, or for the next replay.
            .where(which.and(HOOK_OUTBOX.CLUSTER_ID.in(clusters)))
            .execute();
    ClusterHeads.promote(t, clusters, clock);
    if (replayed > 0) {
      t.select(
              DSL.function(
                  "pg_notify", Object.class, DSL.val(OutboxRepository.CHANNEL), DSL.val("")))
          .fetch();
    }
    return replayed;
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
