package ccx.hooks.outbox;

import java.util.Collections;

/**
 * Stores post-hooks with group commit: the hooks of concurrent calls go into one transaction, and
 * each call returns only after the transaction holding its hook has committed. This is how intake
 * runs past the rate of single-row transactions.
 */
public final class OutboxWriter implements AutoCloseable {
  /** Most hooks per transaction: large enough to amortise a commit, small enough to stay short. */
  static final int MAX_BATCH = 256;

  /**
   * Most bytes of payload per transaction: a batch of ordinary hooks (under 1 KiB each) is bounded
   * by {@link #MAX_BATCH}; a few hooks near the request limit (1 MiB) are not put in one
   * transaction of hundreds of MiB, which would hold the batch's callers and PostgreSQL's WAL.
   */
  static final long MAX_BATCH_BYTES = 4L * 1024 * 1024;

  /**
   * Writers: two, taking turns ({@link GroupCommit}), so that a batch that waits (for a cluster's
   * lock, say) does not hold up the hooks behind it for longer than the stall. Side by side, the
   * more writers, the smaller their batches: with 64 callers, one writer committed about 29 hooks a
   * transaction, two about 17, three about 13, and one stored the most hooks a second
   * (docs/BENCHMARKS.md, tenth session; in the sixth, four committed about 11), since each
   * transaction costs PostgreSQL the same round trip and commit however few hooks it holds.
   */
  static final int DEFAULT_WRITERS = 2;

  private final GroupCommit<NewHook, Boolean> commits;

  public OutboxWriter(OutboxRepository outbox) {
    this(outbox, DEFAULT_WRITERS);
  }

  OutboxWriter(OutboxRepository outbox, int writerCount) {
    this.commits =
        new GroupCommit<>(
            "store the hook",
            writerCount,
            MAX_BATCH,
            MAX_BATCH_BYTES,
            OutboxWriter::bytes,
            MAX_BATCH * writerCount * GroupCommit.DEFAULT_BATCHES_WAITING,
            GroupCommit.DEFAULT_STALL,
            hooks -> {
              outbox.enqueue(hooks);
              return Collections.nCopies(hooks.size(), Boolean.TRUE);
            });
  }

  /**
   * Stores {@code hook}, returning once it is committed. A hook whose {@code (hook, work_id)} is
   * already stored is not stored again, and returns normally.
   *
   * @throws OutboxUnavailableException when it was not committed
   */
  public void store(NewHook hook) {
    commits.submit(hook);
  }

  /** Roughly the bytes a hook adds to a transaction: its payload, in UTF-16 units, and its ids. */
  static long bytes(NewHook hook) {
    return hook.payload().length()
        + hook.workId().length()
        + hook.clusterId().length()
        + hook.webhookId().length();
  }

  /** Stops taking hooks, and returns once every hook already taken is stored or refused. */
  @Override
  public void close() {
    commits.close();
  }
}
