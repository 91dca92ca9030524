package ccx.hooks.outbox;

import static ccx.hooks.outbox.schema.Tables.HOOK_DELIVERY_ATTEMPT;
import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.min;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** What the CLI, the metrics and the drainer's timer read. None of it takes a lock. */
record OutboxReads(DSLContext dsl, DatabaseClock clock) {
  private static final List<Field<String>> UNFINISHED =
      List.of(
          DSL.inline(OutboxStatus.QUEUED.column()),
          DSL.inline(OutboxStatus.PENDING.column()),
          DSL.inline(OutboxStatus.DELIVERING.column()));

  List<OutboxRow> list(ListFilter filter) {
    Condition which = DSL.noCondition();
    which =
        which.and(
            filter.status().map(s -> HOOK_OUTBOX.STATUS.eq(s.column())).orElse(DSL.noCondition()));
    which =
        which.and(filter.hook().map(h -> HOOK_OUTBOX.HOOK.eq(h.path())).orElse(DSL.noCondition()));
    which = which.and(filter.clusterId().map(HOOK_OUTBOX.CLUSTER_ID::eq).orElse(DSL.noCondition()));
    return dsl.selectFrom(HOOK_OUTBOX)
        .where(which)
        .orderBy(HOOK_OUTBOX.ID)
        .limit(filter.limit())
        .fetch(OutboxRows::toRowForDisplay);
  }

  Optional<OutboxRow> find(long id) {
    return dsl.selectFrom(HOOK_OUTBOX)
        .where(HOOK_OUTBOX.ID.eq(id))
        .fetchOptional(OutboxRows::toRowForDisplay);
  }

  List<RecordedAttempt> attempts(long outboxId) {
    return dsl.selectFrom(HOOK_DELIVERY_ATTEMPT)
        .where(HOOK_DELIVERY_ATTEMPT.OUTBOX_ID.eq(outboxId))
        .orderBy(HOOK_DELIVERY_ATTEMPT.ID)
        .fetch(
            r ->
                new RecordedAttempt(
                    r.getAttempt(),
                    r.getLockedBy(),
                    r.getStartedAt(),
                    r.getDurationMs(),
                    r.getHttpStatus(),
                    r.getError(),
                    r.getResponseBody()));
  }

  /**
   * Rows per status, every status present. Unfinished and failed rows are counted. With {@code
   * estimateDelivered}, delivered rows (a week of them, by default) are PostgreSQL's running
   * estimate of the delivered partition's live rows, read in constant time rather than by a scan;
   * the statistics lag commits by up to several seconds.
   */
  Map<OutboxStatus, Long> countByStatus(boolean estimateDelivered) {
    if (!estimateDelivered) {
      return exactCounts();
    }
    Map<OutboxStatus, Long> counts = new EnumMap<>(OutboxStatus.class);
    for (OutboxStatus status : OutboxStatus.values()) {
      counts.put(status, 0L);
    }
    dsl.select(HOOK_OUTBOX.STATUS, count())
        .from(HOOK_OUTBOX)
        .where(HOOK_OUTBOX.STATUS.ne(DSL.inline(OutboxStatus.DELIVERED.column())))
        .groupBy(HOOK_OUTBOX.STATUS)
        .fetch()
        .forEach(r -> counts.put(OutboxStatus.fromColumn(r.value1()), r.value2().longValue()));
    Object delivered =
        dsl.fetchValue(
            "SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = 'hook_outbox_delivered'::regclass");
    counts.put(OutboxStatus.DELIVERED, delivered == null ? 0 : ((Number) delivered).longValue());
    return counts;
  }

  private Map<OutboxStatus, Long> exactCounts() {
    Map<OutboxStatus, Long> counts = new EnumMap<>(OutboxStatus.class);
    for (OutboxStatus status : OutboxStatus.values()) {
      counts.put(status, 0L);
    }
    dsl.select(HOOK_OUTBOX.STATUS, count())
        .from(HOOK_OUTBOX)
        .groupBy(HOOK_OUTBOX.STATUS)
        .fetch()
        .forEach(r -> counts.put(OutboxStatus.fromColumn(r.value1()), r.value2().longValue()));
    return counts;
  }

  /**
   * The age of the oldest unfinished row, or zero when there is none: the row with the lowest id,
   * found at the front of the active partition's id index rather than by a scan.
   */
  Duration oldestUnfinishedAge() {
    Field<Double> seconds =
        DSL.field(
            "extract(epoch from ({0} - {1}))",
            SQLDataType.DOUBLE, clock.now(), HOOK_OUTBOX.CREATED_AT);
    Double age =
        dsl.select(seconds)
            .from(HOOK_OUTBOX)
            .where(HOOK_OUTBOX.STATUS.in(UNFINISHED))
            .orderBy(HOOK_OUTBOX.ID)
            .limit(1)
            .fetchOne(seconds);
    return Duration.ofMillis(Math.round((age == null ? 0 : Math.max(0, age)) * 1000));
  }

  /** How long until the earliest pending row that is not yet due becomes due, if any. */
  Optional<Duration> nextDueIn() {
    Field<Double> seconds =
        DSL.field(
            "extract(epoch from ({0} - {1}))",
            SQLDataType.DOUBLE, min(HOOK_OUTBOX.NEXT_ATTEMPT_AT), clock.now());
    Double due =
        dsl.select(seconds)
            .from(HOOK_OUTBOX)
            .where(
                HOOK_OUTBOX.STATUS.eq(DSL.inline(OutboxStatus.PENDING.column())),
                HOOK_OUTBOX.NEXT_ATTEMPT_AT.gt(clock.now()))
            .fetchOne(seconds);
    return Optional.ofNullable(due).map(s -> Duration.ofNanos((long) (s * 1e9)));
  }
}
