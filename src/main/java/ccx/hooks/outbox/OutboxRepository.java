package ccx.hooks.outbox;

import static ccx.hooks.outbox.schema.Tables.HOOK_DELIVERY_ATTEMPT;
import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.notExists;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.when;

import ccx.hooks.RelayException;
import ccx.hooks.outbox.schema.tables.HookOutbox;
import ccx.hooks.outbox.schema.tables.records.HookOutboxRecord;
import ccx.hooks.wire.Hook;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Every query on the outbox. Each method is one short transaction; none is held across an HTTP
 * call. Completing a row checks that the caller still holds its lease ({@code locked_by} and the
 * attempt number), so a worker whose lease expired cannot overwrite a newer result.
 */
public final class OutboxRepository {
  /** The LISTEN/NOTIFY channel on which committed inserts (and replays) are announced. */
  public static final String CHANNEL = "hook_outbox";

  /** How much of an integrator's answer {@code hook_delivery_attempt} keeps. */
  static final int RESPONSE_BODY_LIMIT = 2048;

  private static final String PENDING = OutboxStatus.PENDING.column();
  private static final String DELIVERING = OutboxStatus.DELIVERING.column();
  private static final String DELIVERED = OutboxStatus.DELIVERED.column();
  private static final String FAILED = OutboxStatus.FAILED.column();

  private final DSLContext dsl;
  private final DatabaseClock clock;

  public OutboxRepository(DSLContext dsl, DatabaseClock clock) {
    this.dsl = dsl;
    this.clock = clock;
  }

  /**
   * Stores hooks in one transaction, in list order. A hook whose {@code (hook, work_id)} is already
   * stored is skipped (an empty work_id is never a duplicate).
   *
   * @return how many rows were new
   * @throws OutboxUnavailableException when the database did not commit them
   */
  public int enqueue(List<NewHook> hooks) {
    int n = hooks.size();
    String[] names = new String[n];
    String[] workIds = new String[n];
    String[] clusterIds = new String[n];
    String[] payloads = new String[n];
    String[] webhookIds = new String[n];
    for (int i = 0; i < n; i++) {
      NewHook hook = hooks.get(i);
      names[i] = hook.hook().path();
      workIds[i] = hook.workId();
      clusterIds[i] = hook.clusterId();
      payloads[i] = hook.payload();
      webhookIds[i] = hook.webhookId();
    }
    // One statement for the whole batch, its text the same whatever the batch size, so PostgreSQL
    // plans it once per connection. Rows are inserted (and get their ids) in list order.
    return unavailableOnError(
        "store " + n + " hook(s)",
        () ->
            dsl.execute(
                """
                INSERT INTO hook_outbox (hook, work_id, cluster_id, payload, webhook_id, created_at, next_attempt_at)
                SELECT h, w, c, p::jsonb, i, {0}, {0}
                FROM unnest({1}::varchar[], {2}::varchar[], {3}::varchar[], {4}::text[], {5}::varchar[])
                     WITH ORDINALITY AS t(h, w, c, p, i, n)
                ORDER BY n
                ON CONFLICT (hook, work_id) WHERE work_id <> '' DO NOTHING
                """,
                clock.now(),
                DSL.val(names),
                DSL.val(workIds),
                DSL.val(clusterIds),
                DSL.val(payloads),
                DSL.val(webhookIds)));
  }

  /**
   * Claims up to {@code limit} due rows for {@code relayId}: marks them delivering with a lease of
   * {@code lease} and counts the attempt, in one statement that commits before any delivery. Rows
   * locked by another claimer are skipped, not waited for.
   *
   * @param clusterOrdered when true, a row is due only if no earlier row of its cluster is pending
   *     or delivering (rows with an empty cluster_id are never held back)
   */
  public List<OutboxRow> claim(String relayId, int limit, Duration lease, boolean clusterOrdered) {
    HookOutbox o = HOOK_OUTBOX.as("o");
    HookOutbox earlier = HOOK_OUTBOX.as("earlier");
    Field<OffsetDateTime> now = clock.now();
    Condition due =
        o.STATUS
            .eq(PENDING)
            .and(o.NEXT_ATTEMPT_AT.le(now))
            .or(o.STATUS.eq(DELIVERING).and(o.LOCKED_UNTIL.le(now)));
    if (clusterOrdered) {
      due =
          due.and(
              o.CLUSTER_ID
                  .eq("")
                  .or(
                      notExists(
                          selectOne()
                              .from(earlier)
                              .where(
                                  earlier.CLUSTER_ID.eq(o.CLUSTER_ID),
                                  earlier.ID.lt(o.ID),
                                  earlier.STATUS.in(PENDING, DELIVERING)))));
    }
    Table<Record1<Long>> claimed =
        DSL.select(o.ID)
            .from(o)
            .where(due)
            .orderBy(o.ID)
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .asTable("claimed");
    List<OutboxRow> rows =
        dsl.update(HOOK_OUTBOX)
            .set(HOOK_OUTBOX.STATUS, DELIVERING)
            .set(HOOK_OUTBOX.LOCKED_BY, relayId)
            .set(HOOK_OUTBOX.LOCKED_UNTIL, DatabaseClock.plus(now, lease))
            .set(HOOK_OUTBOX.ATTEMPTS, HOOK_OUTBOX.ATTEMPTS.plus(1))
            .set(HOOK_OUTBOX.LAST_ATTEMPT_AT, now)
            .from(claimed)
            .where(HOOK_OUTBOX.ID.eq(claimed.field(o.ID.getName(), Long.class)))
            .returning()
            .fetch(OutboxRepository::toRow);
    List<OutboxRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(OutboxRow::id));
    return sorted;
  }

  /**
   * Records a successful attempt.
   *
   * @return false when the lease was lost (the row was taken over or replayed): nothing changed but
   *     the attempt's record
   */
  public boolean markDelivered(OutboxRow claimed, DeliveryAttempt attempt) {
    return markDelivered(List.of(new Delivered(claimed, attempt))).get(0);
  }

  /** One successful delivery to record, with the lease it was made under. */
  public record Delivered(OutboxRow claimed, DeliveryAttempt attempt) {}

  /**
   * Records many successful deliveries in one transaction.
   *
   * @return for each, in order, whether its lease was still held (false: nothing changed but the
   *     attempt's record)
   */
  public List<Boolean> markDelivered(List<Delivered> deliveries) {
    int n = deliveries.size();
    Long[] ids = new Long[n];
    String[] lockedBy = new String[n];
    Integer[] attempts = new Integer[n];
    Integer[] statuses = new Integer[n];
    OffsetDateTime[] claimedAt = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      OutboxRow row = deliveries.get(i).claimed();
      ids[i] = row.id();
      lockedBy[i] = row.lockedBy();
      attempts[i] = row.attempts();
      statuses[i] = deliveries.get(i).attempt().httpStatus();
      claimedAt[i] = row.lastAttemptAt();
    }
    Set<Long> updated =
        dsl.transactionResult(
            tx -> {
              DSLContext t = tx.dsl();
              insertAttempts(t, deliveries);
              return new HashSet<>(
                  t.fetch(
                          """
                          UPDATE hook_outbox o
                          SET status = 'delivered', delivered_at = {0}, locked_by = NULL, locked_until = NULL,
                              last_http_status = v.http_status, last_error = NULL
                          FROM unnest({1}::bigint[], {2}::varchar[], {3}::int[], {4}::int[], {5}::timestamptz[])
                               AS v(id, locked_by, attempt, http_status, claimed_at)
                          WHERE o.id = v.id AND o.status = 'delivering' AND o.locked_by = v.locked_by AND o.attempts = v.attempt
                            AND o.last_attempt_at = v.claimed_at
                          RETURNING o.id
                          """,
                          clock.now(),
                          DSL.val(ids),
                          DSL.val(lockedBy),
                          DSL.val(attempts),
                          DSL.val(statuses),
                          DSL.val(claimedAt))
                      .getValues(0, Long.class));
            });
    List<Boolean> held = new ArrayList<>(n);
    for (Long id : ids) {
      held.add(updated.contains(id));
    }
    return held;
  }

  private static void insertAttempts(DSLContext t, List<Delivered> deliveries) {
    int n = deliveries.size();
    Long[] ids = new Long[n];
    Integer[] attempts = new Integer[n];
    String[] lockedBy = new String[n];
    OffsetDateTime[] startedAt = new OffsetDateTime[n];
    Integer[] durations = new Integer[n];
    Integer[] statuses = new Integer[n];
    String[] errors = new String[n];
    String[] bodies = new String[n];
    for (int i = 0; i < n; i++) {
      OutboxRow row = deliveries.get(i).claimed();
      DeliveryAttempt attempt = deliveries.get(i).attempt();
      ids[i] = row.id();
      attempts[i] = row.attempts();
      lockedBy[i] = row.lockedBy();
      startedAt[i] = attempt.startedAt().atOffset(ZoneOffset.UTC);
      durations[i] = (int) Math.min(Integer.MAX_VALUE, attempt.duration().toMillis());
      statuses[i] = attempt.httpStatus();
      errors[i] = storable(attempt.error());
      bodies[i] = truncate(attempt.responseBody());
    }
    t.execute(
        """
        INSERT INTO hook_delivery_attempt (outbox_id, attempt, locked_by, started_at, duration_ms, http_status, error, response_body)
        SELECT * FROM unnest({0}::bigint[], {1}::int[], {2}::varchar[], {3}::timestamptz[], {4}::int[], {5}::int[], {6}::text[], {7}::text[])
        """,
        DSL.val(ids),
        DSL.val(attempts),
        DSL.val(lockedBy),
        DSL.val(startedAt),
        DSL.val(durations),
        DSL.val(statuses),
        DSL.val(errors),
        DSL.val(bodies));
  }

  private static String truncate(String body) {
    String stored = storable(body);
    return stored != null && stored.length() > RESPONSE_BODY_LIMIT
        ? stored.substring(0, RESPONSE_BODY_LIMIT)
        : stored;
  }

  /**
   * PostgreSQL text cannot hold U+0000, and an integrator's answer may contain it: one such answer
   * must not fail the batch of outcomes it is committed with.
   */
  static String storable(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
  }

  /**
   * Records a failed attempt: the row is pending again after {@code delay}, or failed when it has
   * made {@code maxAttempts} attempts or is older than {@code maxAge} (counted from its replay, if
   * it was replayed).
   *
   * @return the row's new state, or empty when the lease was lost
   */
  public Optional<RetryOutcome> retryOrFail(
      OutboxRow claimed,
      DeliveryAttempt attempt,
      Duration delay,
      int maxAttempts,
      Duration maxAge) {
    Field<OffsetDateTime> now = clock.now();
    Condition exhausted =
        HOOK_OUTBOX
            .ATTEMPTS
            .ge(maxAttempts)
            .or(
                DatabaseClock.plus(
                        coalesce(HOOK_OUTBOX.REPLAYED_AT, HOOK_OUTBOX.CREATED_AT), maxAge)
                    .le(now));
    return dsl.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          insertAttempt(t, claimed, attempt);
          return t.update(HOOK_OUTBOX)
              .set(HOOK_OUTBOX.STATUS, when(exhausted, FAILED).otherwise(PENDING))
              .set(HOOK_OUTBOX.NEXT_ATTEMPT_AT, DatabaseClock.plus(now, delay))
              .setNull(HOOK_OUTBOX.LOCKED_BY)
              .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
              .set(HOOK_OUTBOX.LAST_HTTP_STATUS, attempt.httpStatus())
              .set(HOOK_OUTBOX.LAST_ERROR, storable(attempt.error()))
              .where(leaseHeld(claimed))
              .returning(HOOK_OUTBOX.STATUS, HOOK_OUTBOX.NEXT_ATTEMPT_AT)
              .fetchOptional(
                  r ->
                      new RetryOutcome(
                          OutboxStatus.fromColumn(r.get(HOOK_OUTBOX.STATUS)),
                          r.get(HOOK_OUTBOX.NEXT_ATTEMPT_AT)));
        });
  }

  /**
   * Gives a claimed row back without counting the attempt: it is due again at once. Used when the
   * circuit breaker refused the call, and for rows a stopping relay did not get to.
   */
  public boolean release(OutboxRow claimed) {
    return dsl.update(HOOK_OUTBOX)
            .set(HOOK_OUTBOX.STATUS, PENDING)
            .set(HOOK_OUTBOX.ATTEMPTS, HOOK_OUTBOX.ATTEMPTS.minus(1))
            .setNull(HOOK_OUTBOX.LOCKED_BY)
            .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
            .where(leaseHeld(claimed))
            .execute()
        == 1;
  }

  /**
   * Puts rows back to pending, due now, with a fresh budget of attempts and age. Safe while relays
   * run: a relay still delivering one of these rows loses its lease and its result is discarded.
   *
   * @return how many rows were (or, with {@code dryRun}, would be) replayed
   */
  public int replay(ReplayFilter filter, boolean dryRun) {
    Condition which = replayCondition(filter);
    if (dryRun) {
      return dsl.fetchCount(HOOK_OUTBOX, which);
    }
    return dsl.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          Field<OffsetDateTime> now = clock.now();
          int replayed =
              t.update(HOOK_OUTBOX)
                  .set(HOOK_OUTBOX.STATUS, PENDING)
                  .set(HOOK_OUTBOX.ATTEMPTS, 0)
                  .set(HOOK_OUTBOX.NEXT_ATTEMPT_AT, now)
                  .set(HOOK_OUTBOX.REPLAYED_AT, now)
                  .setNull(HOOK_OUTBOX.LOCKED_BY)
                  .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
                  .setNull(HOOK_OUTBOX.DELIVERED_AT)
                  .where(which)
                  .execute();
          if (replayed > 0) {
            t.select(DSL.function("pg_notify", Object.class, DSL.val(CHANNEL), DSL.val("")))
                .fetch();
          }
          return replayed;
        });
  }

  private static Condition replayCondition(ReplayFilter filter) {
    if (!filter.ids().isEmpty()) {
      return HOOK_OUTBOX.ID.in(filter.ids());
    }
    Condition which = HOOK_OUTBOX.STATUS.eq(FAILED);
    which =
        which.and(filter.hook().map(h -> HOOK_OUTBOX.HOOK.eq(h.path())).orElse(DSL.noCondition()));
    which = which.and(filter.clusterId().map(HOOK_OUTBOX.CLUSTER_ID::eq).orElse(DSL.noCondition()));
    which = which.and(filter.workId().map(HOOK_OUTBOX.WORK_ID::eq).orElse(DSL.noCondition()));
    return which.and(filter.since().map(HOOK_OUTBOX.CREATED_AT::ge).orElse(DSL.noCondition()));
  }

  /** Deletes up to {@code batch} rows delivered more than {@code retention} ago. */
  public int deleteDelivered(Duration retention, int batch) {
    Field<OffsetDateTime> cutoff = DatabaseClock.plus(clock.now(), retention.negated());
    return dsl.deleteFrom(HOOK_OUTBOX)
        .where(
            HOOK_OUTBOX.ID.in(
                DSL.select(HOOK_OUTBOX.ID)
                    .from(HOOK_OUTBOX)
                    .where(HOOK_OUTBOX.STATUS.eq(DELIVERED), HOOK_OUTBOX.DELIVERED_AT.lt(cutoff))
                    .limit(batch)))
        .execute();
  }

  /**
   * How long until the earliest pending row that is not yet due becomes due, if any. Rows already
   * due but held back by their cluster's order are left out: they wait for a completion, not a
   * time.
   */
  public Optional<Duration> nextDueIn() {
    Field<Double> seconds =
        DSL.field(
            "extract(epoch from ({0} - {1}))",
            SQLDataType.DOUBLE, min(HOOK_OUTBOX.NEXT_ATTEMPT_AT), clock.now());
    Double due =
        dsl.select(seconds)
            .from(HOOK_OUTBOX)
            .where(HOOK_OUTBOX.STATUS.eq(PENDING), HOOK_OUTBOX.NEXT_ATTEMPT_AT.gt(clock.now()))
            .fetchOne(seconds);
    return Optional.ofNullable(due).map(s -> Duration.ofNanos((long) (s * 1e9)));
  }

  public List<OutboxRow> list(ListFilter filter) {
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
        .fetch(OutboxRepository::toRow);
  }

  public Optional<OutboxRow> find(long id) {
    return dsl.selectFrom(HOOK_OUTBOX)
        .where(HOOK_OUTBOX.ID.eq(id))
        .fetchOptional(OutboxRepository::toRow);
  }

  public List<RecordedAttempt> attempts(long outboxId) {
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

  /** Rows per status, every status present (zero when none). */
  public Map<OutboxStatus, Long> countByStatus() {
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

  /** The age of the oldest pending or delivering row, or zero when there is none. */
  public Duration oldestUnfinishedAge() {
    Field<Double> seconds =
        DSL.field(
            "coalesce(extract(epoch from ({0} - {1})), 0)",
            SQLDataType.DOUBLE, clock.now(), min(HOOK_OUTBOX.CREATED_AT));
    Double age =
        dsl.select(seconds)
            .from(HOOK_OUTBOX)
            .where(HOOK_OUTBOX.STATUS.in(PENDING, DELIVERING))
            .fetchOne(seconds);
    return Duration.ofMillis(Math.round((age == null ? 0 : age) * 1000));
  }

  /**
   * For {@code bench}: {@code rows} pending rows of {@code hook} over {@code clusters} clusters.
   */
  public int insertBacklog(int rows, int clusters, Hook hook, String payload) {
    return new BenchQueries(dsl).insertBacklog(rows, clusters, hook, payload);
  }

  /** For {@code bench}: rows not delivered yet. */
  public long countUnfinished() {
    return new BenchQueries(dsl).countUnfinished();
  }

  /** For {@code bench}: every row stored. */
  public long countStored() {
    return new BenchQueries(dsl).countStored();
  }

  /**
   * The claim is still the caller's: same holder, same attempt, and the same claim time. The claim
   * time tells two claims apart even when a replay has reset the attempt count and the same relay
   * claimed the row again.
   */
  private Condition leaseHeld(OutboxRow claimed) {
    return HOOK_OUTBOX
        .ID
        .eq(claimed.id())
        .and(HOOK_OUTBOX.STATUS.eq(DELIVERING))
        .and(HOOK_OUTBOX.LOCKED_BY.eq(claimed.lockedBy()))
        .and(HOOK_OUTBOX.ATTEMPTS.eq(claimed.attempts()))
        .and(HOOK_OUTBOX.LAST_ATTEMPT_AT.eq(claimed.lastAttemptAt()));
  }

  private static void insertAttempt(DSLContext t, OutboxRow claimed, DeliveryAttempt attempt) {
    insertAttempts(t, List.of(new Delivered(claimed, attempt)));
  }

  private static OutboxRow toRow(HookOutboxRecord r) {
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

  private <T> T unavailableOnError(String what, java.util.function.Supplier<T> query) {
    try {
      return query.get();
    } catch (DataAccessException e) {
      throw new OutboxUnavailableException(
          "outbox database could not " + what + ": " + RelayException.rootMessage(e), e);
    }
  }
}
