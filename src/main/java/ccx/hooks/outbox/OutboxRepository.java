package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * Every query on the outbox, behind one facade; each family lives in a package-private class of its
 * own: {@link Intake}, {@link Leases} (the claim and the lease rule), {@link ClusterHeads} (the
 * per-cluster order), {@link Replays}, {@link Retention} and {@link OutboxReads}. Each method is
 * one short transaction; none is held across an HTTP call.
 */
public final class OutboxRepository {
  /** The LISTEN/NOTIFY channel on which committed inserts (and replays) are announced. */
  public static final String CHANNEL = "hook_outbox";

  private final Intake intake;
  private final Leases leases;
  private final Replays replays;
  private final Retention retention;
  private final OutboxReads reads;
  private final BenchQueries bench;

  /** A repository that keeps each cluster's hooks in order (the default, {@code --ordering}). */
  public OutboxRepository(DSLContext dsl, DatabaseClock clock) {
    this(dsl, clock, true);
  }

  /**
   * @param clusterOrdered whether new hooks queue behind the unfinished hooks of their cluster;
   *     false stores every hook ready to deliver at once ({@code --ordering none})
   */
  public OutboxRepository(DSLContext dsl, DatabaseClock clock, boolean clusterOrdered) {
    this.intake = new Intake(dsl, clock, clusterOrdered);
    this.leases = new Leases(dsl, clock);
    this.replays = new Replays(dsl, clock);
    this.retention = new Retention(dsl, clock);
    this.reads = new OutboxReads(dsl, clock);
    this.bench = new BenchQueries(dsl);
  }

  /**
   * Stores hooks in one transaction, in list order. A hook whose {@code (hook, work_id)} is already
   * stored (and not yet removed by retention) is skipped; an empty work_id is never a duplicate.
   *
   * @return how many rows were new
   * @throws OutboxUnavailableException when the database did not commit them
   */
  public int enqueue(List<NewHook> hooks) {
    try {
      return intake.enqueue(hooks);
    } catch (DataAccessException e) {
      throw OutboxUnavailableException.database(e);
    }
  }

  /**
   * Claims up to {@code limit} due rows for {@code relayId}: marks them delivering with a lease of
   * {@code lease} and counts the attempt, in one statement that commits before any delivery. Rows
   * locked by another claimer are skipped, not waited for.
   */
  public List<OutboxRow> claim(String relayId, int limit, Duration lease) {
    return claim(relayId, limit, lease, Set.of());
  }

  /**
   * As {@link #claim(String, int, Duration)}, leaving out the rows of {@code skipped} hooks: those
   * whose endpoint is out, so that their rows keep their attempts. A skipped head still holds back
   * the rows of its cluster. A claimed row the relay cannot read (unknown hook, a payload that is
   * not a JSON object) is failed alone with the reason, and is not returned.
   */
  public List<OutboxRow> claim(String relayId, int limit, Duration lease, Set<Hook> skipped) {
    return leases.claim(relayId, limit, lease, skipped);
  }

  /**
   * Makes rows whose lease has expired due again (their relay died or stalled).
   *
   * @return how many
   */
  public int rescueExpiredLeases() {
    return leases.rescueExpired();
  }

  /** One successful delivery to record, with the lease it was made under. */
  public record Delivered(OutboxRow claimed, DeliveryAttempt attempt) {}

  /**
   * Records many successful deliveries in one transaction, and makes the next row of each of their
   * clusters due.
   *
   * @return for each, in order, whether its lease was still held (false: nothing changed but the
   *     attempt's record)
   */
  public List<Boolean> markDelivered(List<Delivered> deliveries) {
    return leases.markDelivered(deliveries);
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
    return leases.retryOrFail(claimed, attempt, delay, maxAttempts, maxAge);
  }

  /**
   * Gives a claimed row back without counting the attempt: it is due again at once. Used when the
   * circuit breaker refused the call, and for rows a stopping relay did not get to.
   */
  public boolean release(OutboxRow claimed) {
    return leases.release(claimed);
  }

  /**
   * Puts rows back to be delivered, due now, with a fresh budget of attempts and age, in their
   * cluster's order. Safe while relays run: a relay still delivering one of these rows loses its
   * lease and its result is discarded.
   *
   * @return how many rows were (or, with {@code dryRun}, would be) replayed
   */
  public int replay(ReplayFilter filter, boolean dryRun) {
    return replays.replay(filter, dryRun);
  }

  /** Deletes up to {@code batch} rows delivered more than {@code retention} ago. */
  public int deleteDelivered(Duration retention, int batch) {
    return this.retention.deleteDelivered(retention, batch);
  }

  /** Dead tuples in the active partition, by PostgreSQL's statistics. */
  public long deadActiveTuples() {
    return retention.deadActiveTuples();
  }

  /** Vacuums the active partition (skipped when another session is vacuuming it). */
  public void vacuumActive() {
    retention.vacuumActive();
  }

  /**
   * How long until the earliest pending row that is not yet due becomes due, if any. Queued rows
   * are left out: they wait for their cluster's head, not for a time.
   */
  public Optional<Duration> nextDueIn() {
    return reads.nextDueIn();
  }

  public List<OutboxRow> list(ListFilter filter) {
    return reads.list(filter);
  }

  public Optional<OutboxRow> find(long id) {
    return reads.find(id);
  }

  public List<RecordedAttempt> attempts(long outboxId) {
    return reads.attempts(outboxId);
  }

  /** Rows per status, every status present (zero when none), counted. */
  public Map<OutboxStatus, Long> countByStatus() {
    return reads.countByStatus(false);
  }

  /**
   * Rows per status for the metrics: unfinished and failed rows counted, delivered rows estimated
   * in constant time from PostgreSQL's statistics (they lag by seconds), so that a refresh costs
   * the same with a week of delivered rows as with none.
   */
  public Map<OutboxStatus, Long> countByStatusCheaply() {
    return reads.countByStatus(true);
  }

  /** The age of the oldest unfinished row, or zero when there is none. */
  public Duration oldestUnfinishedAge() {
    return reads.oldestUnfinishedAge();
  }

  /**
   * For {@code bench}: {@code rows} rows of {@code hook} over {@code clusters} clusters, as an
   * outage of the integrator would leave them (each cluster's first row its head, the rest queued).
   */
  public int insertBacklog(int rows, int clusters, Hook hook, String payload) {
    return bench.insertBacklog(rows, clusters, hook, payload);
  }

  /** For {@code bench}: delivered rows, with their attempts, older than any retention it uses. */
  public void insertExpired(int rows, Hook hook, String payload) {
    bench.insertExpired(rows, hook, payload);
  }

  /**
   * For {@code bench}: one cluster of {@code rows} rows whose head waits out a one-hour backoff,
   * the rest queued behind it.
   */
  public void insertStuckCluster(int rows, Hook hook, String payload) {
    bench.insertStuckCluster(rows, hook, payload);
  }

  /** For {@code bench}: rows not delivered yet. */
  public long countUnfinished() {
    return bench.countUnfinished();
  }

  /** For {@code bench}: every row stored. */
  public long countStored() {
    return bench.countStored();
  }
}
