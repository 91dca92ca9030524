package ccx.hooks.outbox;

import static ccx.hooks.outbox.Statements.ints;
import static ccx.hooks.outbox.Statements.longs;
import static ccx.hooks.outbox.Statements.strings;
import static ccx.hooks.outbox.schema.Tables.HOOK_OUTBOX;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.when;

import ccx.hooks.core.Hook;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease lifecycle of a row: claimed (pending to delivering, with a lease), then delivered,
 * retried, failed or given back. Every completion checks {@link #leaseHeld} first, so a relay whose
 * lease expired cannot overwrite a newer result; a completion that finishes a cluster's head
 * promotes the next row of that cluster in the same transaction.
 */
final class Leases {
  private static final Logger log = LoggerFactory.getLogger(Leases.class);
  // Literals, not bind values: a plan can then use the partial indexes and name the partition.
  private static final Field<String> PENDING = DSL.inline(OutboxStatus.PENDING.column());
  private static final Field<String> DELIVERING = DSL.inline(OutboxStatus.DELIVERING.column());
  private static final Field<String> FAILED = DSL.inline(OutboxStatus.FAILED.column());

  private final DSLContext dsl;
  private final DatabaseClock clock;
  private final PoisonRows poison;

  Leases(DSLContext dsl, DatabaseClock clock) {
    this.dsl = dsl;
    this.clock = clock;
    this.poison = new PoisonRows(dsl, clock);
  }

  /** Claims up to {@code limit} due pending rows, earliest due first: {@link Claim}. */
  List<OutboxRow> claim(String relayId, int limit, Duration lease, Set<Hook> skipped) {
    List<OutboxRow> claimed =
        dsl.connectionResult(c -> Claim.run(c, clock, relayId, limit, lease, skipped));
    List<OutboxRow> rows = new ArrayList<>(claimed.size());
    for (OutboxRow row : claimed) {
      poison.readableOrFailed(row).ifPresent(rows::add);
    }
    rows.sort(Comparator.comparingLong(OutboxRow::id));
    return rows;
  }

  /**
   * Makes rows whose lease expired (their relay died or stalled mid-delivery) pending again, due
   * now: they stay their cluster's head, and the attempt they were claimed for stays counted.
   */
  int rescueExpired() {
    Field<OffsetDateTime> now = clock.now();
    // A late completion may move one of these rows out of the active partition meanwhile.
    return ConcurrentMove.retry(
        () ->
            dsl.update(HOOK_OUTBOX)
                .set(HOOK_OUTBOX.STATUS, PENDING)
                .setNull(HOOK_OUTBOX.LOCKED_BY)
                .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
                .set(HOOK_OUTBOX.NEXT_ATTEMPT_AT, now)
                .where(HOOK_OUTBOX.STATUS.eq(DELIVERING), HOOK_OUTBOX.LOCKED_UNTIL.le(now))
                .execute());
  }

  /**
   * Marks the rows delivered whose lease is held (the lease rule of {@link #leaseHeld}), returning
   * their ids; parameters as {@link #bindDelivered} sets them.
   */
  private static final String DELIVERED =
      """
      UPDATE hook_outbox o
      SET status = 'delivered', delivered_at = now() + make_interval(secs => ?),
          locked_by = NULL, locked_until = NULL, last_http_status = v.http_status,
          last_error = NULL
      FROM unnest(?::bigint[], ?::varchar[], ?::int[], ?::int[], ?::timestamptz[])
           AS v(id, locked_by, attempt, http_status, claimed_at)
      WHERE o.id = v.id AND o.status = 'delivering' AND o.locked_by = v.locked_by
        AND o.attempts = v.attempt AND o.last_attempt_at = v.claimed_at
      RETURNING o.id
      """;

  /**
   * A batch of deliveries in one transaction of four statements sent together ({@link
   * Statements#inOneTransaction}): lock the clusters, record the attempts, mark the rows delivered,
   * and promote the next row of each cluster. Each statement sees what the one before it did. The
   * promotion is asked for every cluster of the batch: one whose row was not marked (its lease was
   * lost) still has a head, pending or delivering, or no unfinished row at all, and the promotion
   * leaves such a cluster alone. Sent apart, with BEGIN and COMMIT, these took five round trips
   * while the cluster's next row waited for them.
   */
  private static final String COMPLETE =
      String.join(";\n", ClusterHeads.LOCK, Attempts.INSERT, DELIVERED, ClusterHeads.PROMOTE);

  /**
   * Records successful deliveries in one transaction; for each, whether its lease was held. Written
   * for JDBC, as the claim is ({@link Statements}): it runs for every delivery.
   */
  List<Boolean> markDelivered(List<OutboxRepository.Delivered> deliveries) {
    String[] clusters =
        ClusterHeads.lockable(deliveries.stream().map(d -> d.claimed().clusterId()).toList());
    Set<Long> updated =
        ConcurrentMove.retry(() -> dsl.connectionResult(c -> complete(c, clusters, deliveries)));
    return deliveries.stream().map(d -> updated.contains(d.claimed().id())).toList();
  }

  private Set<Long> complete(
      Connection c, String[] clusters, List<OutboxRepository.Delivered> deliveries)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(COMPLETE)) {
      s.setArray(1, c.createArrayOf("varchar", clusters));
      int next = Attempts.bind(s, 2, c, deliveries);
      next = bindDelivered(s, next, c, deliveries);
      ClusterHeads.bindPromote(s, next, c, clusters, clock);
      return Statements.inOneTransaction(
          c,
          () -> {
            // The locks' result, the attempts' count, then the ids marked delivered.
            s.execute();
            s.getMoreResults();
            s.getMoreResults();
            Set<Long> done = new HashSet<>();
            try (ResultSet r = s.getResultSet()) {
              while (r.next()) {
                done.add(r.getLong(1));
              }
            }
            return done;
          });
    }
  }

  private int bindDelivered(
      PreparedStatement s, int first, Connection c, List<OutboxRepository.Delivered> deliveries)
      throws SQLException {
    s.setDouble(first, clock.offsetSeconds());
    s.setArray(first + 1, longs(c, deliveries, d -> d.claimed().id()));
    s.setArray(first + 2, strings(c, deliveries, d -> d.claimed().lockedBy()));
    s.setArray(first + 3, ints(c, deliveries, d -> d.claimed().attempts()));
    s.setArray(first + 4, ints(c, deliveries, d -> d.attempt().httpStatus()));
    s.setArray(first + 5, strings(c, deliveries, d -> d.claimed().lastAttemptAt().toString()));
    return first + 6;
  }

  /**
   * Records a failed attempt: pending again after {@code delay}, or failed once the row made {@code
   * maxAttempts} attempts or is older than {@code maxAge}. A failed head lets the next row of its
   * cluster go.
   */
  Optional<RetryOutcome> retryOrFail(
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
    return ConcurrentMove.retry(
        () ->
            dsl.transactionResult(
                tx -> {
                  DSLContext t = tx.dsl();
                  ClusterHeads.lock(t, List.of(claimed.clusterId()));
                  Attempts.insert(t, List.of(new OutboxRepository.Delivered(claimed, attempt)));
                  Optional<RetryOutcome> outcome =
                      t.update(HOOK_OUTBOX)
                          .set(HOOK_OUTBOX.STATUS, when(exhausted, FAILED).otherwise(PENDING))
                          .set(HOOK_OUTBOX.NEXT_ATTEMPT_AT, DatabaseClock.plus(now, delay))
                          .setNull(HOOK_OUTBOX.LOCKED_BY)
                          .setNull(HOOK_OUTBOX.LOCKED_UNTIL)
                          .set(HOOK_OUTBOX.LAST_HTTP_STATUS, attempt.httpStatus())
                          .set(HOOK_OUTBOX.LAST_ERROR, Attempts.storable(attempt.error()))
                          .where(leaseHeld(claimed))
                          .returning(HOOK_OUTBOX.STATUS, HOOK_OUTBOX.NEXT_ATTEMPT_AT)
                          .fetchOptional(
                              r ->
                                  new RetryOutcome(
                                      OutboxStatus.fromColumn(r.get(HOOK_OUTBOX.STATUS)),
                                      r.get(HOOK_OUTBOX.NEXT_ATTEMPT_AT)));
                  if (outcome.isPresent() && outcome.get().status() == OutboxStatus.FAILED) {
                    ClusterHeads.promote(t, List.of(claimed.clusterId()), clock);
                  }
                  return outcome;
                }));
  }

  /** Gives a claimed row back without counting the attempt: due again at once, still the head. */
  boolean release(OutboxRow claimed) {
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
   * The lease rule: the claim is still the caller's (same holder, same attempt, and the same claim
   * time, which tells two claims apart even when a replay reset the attempt count and the same
   * relay claimed the row again). The batch form in {@link #delivered} states the same rule.
   */
  static Condition leaseHeld(OutboxRow claimed) {
    return HOOK_OUTBOX
        .ID
        .eq(claimed.id())
        .and(HOOK_OUTBOX.STATUS.eq(DELIVERING))
        .and(HOOK_OUTBOX.LOCKED_BY.eq(claimed.lockedBy()))
        .and(HOOK_OUTBOX.ATTEMPTS.eq(claimed.attempts()))
        .and(HOOK_OUTBOX.LAST_ATTEMPT_AT.eq(claimed.lastAttemptAt()));
  }
}
