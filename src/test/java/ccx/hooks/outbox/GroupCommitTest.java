package ccx.hooks.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The bounds of group commit, with a batch function that records what it was given: batches stay
 * within their bytes as well as their count, an item larger than the byte bound goes alone, and
 * callers beyond the queue's capacity wait for room rather than grow it.
 */
class GroupCommitTest {
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch firstBatchMayCommit = new CountDownLatch(1);

  private List<Integer> commit(List<String> items) {
    boolean first = batches.isEmpty();
    batches.add(List.copyOf(items));
    if (first) {
      try {
        // Holds the first batch so that the rest pile up behind it, as under load.
        firstBatchMayCommit.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return items.stream().map(String::length).toList();
  }

  private GroupCommit<String, Integer> groupCommit(int capacity) {
    return new GroupCommit<>(
        "store", 1, 100, 10, item -> item.length(), capacity, Duration.ofSeconds(10), this::commit);
  }

  private GroupCommit<String, Integer> twoWorkers(Duration stall) {
    return new GroupCommit<>("store", 2, 100, 100, item -> item.length(), 100, stall, this::commit);
  }

  @Test
  void two_workers_take_turns_so_what_arrives_while_a_batch_commits_goes_in_the_next_together()
      throws Exception {
    try (GroupCommit<String, Integer> commits = twoWorkers(Duration.ofSeconds(10));
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> first = callers.submit(() -> commits.submit("a"));
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());
      List<Future<Integer>> rest = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        rest.add(callers.submit(() -> commits.submit("bc")));
      }
      // The idle worker waits for its turn: it takes none of them while the first batch commits.
      org.awaitility.Awaitility.await().until(() -> commits.waiting() == 5);
      assertThat(batches).hasSize(1);
      firstBatchMayCommit.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      for (Future<Integer> call : rest) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      }
    }
    assertThat(batches).extracting(List::size).containsExactly(1, 5);
  }

  @Test
  void a_batch_committing_past_the_stall_lets_the_next_worker_go_ahead_beside_it()
      throws Exception {
    try (GroupCommit<String, Integer> commits = twoWorkers(Duration.ofMillis(50));
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> held = callers.submit(() -> commits.submit("a"));
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());

      assertThat(callers.submit(() -> commits.submit("bc")).get(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(held).isNotDone();
      firstBatchMayCommit.countDown();
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  @Test
  void batches_stay_within_their_bytes_and_an_item_larger_than_that_goes_alone() throws Exception {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      items.add("abcd");
    }
    items.add("x".repeat(50));
    try (GroupCommit<String, Integer> commits = groupCommit(100);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> first = callers.submit(() -> commits.submit("a"));
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());
      List<Future<Integer>> rest = new ArrayList<>();
      for (String item : items) {
        rest.add(callers.submit(() -> commits.submit(item)));
      }
      Thread.sleep(Duration.ofMillis(200));
      firstBatchMayCommit.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      for (int i = 0; i < items.size(); i++) {
        assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(items.get(i).length());
      }
    }
    List<List<String>> after = batches.subList(1, batches.size());
    assertThat(after.stream().mapToInt(List::size).sum()).isEqualTo(items.size());
    assertThat(after)
        .allSatisfy(
            batch ->
                assertThat(batch.size() == 1 || batch.stream().mapToInt(String::length).sum() <= 10)
                    .as("batch " + batch)
                    .isTrue());
    assertThat(after).contains(List.of("x".repeat(50)));
    assertThat(after).anyMatch(batch -> batch.size() == 2);
  }

  @Test
  void a_failed_batch_fails_each_of_its_callers_as_the_database_and_a_closed_one_as_stopping() {
    GroupCommit<String, Integer> commits =
        new GroupCommit<>(
            "store",
            1,
            100,
            items -> {
              throw new IllegalStateException("disk full");
            });
    OutboxUnavailableException failed =
        catchThrowableOfType(OutboxUnavailableException.class, () -> commits.submit("a"));
    commits.close();
    OutboxUnavailableException closed =
        catchThrowableOfType(OutboxUnavailableException.class, () -> commits.submit("b"));

    assertThat(failed.reason()).isEqualTo(OutboxUnavailableException.Reason.DATABASE);
    assertThat(failed.detail()).isEqualTo("disk full");
    assertThat(closed.reason()).isEqualTo(OutboxUnavailableException.Reason.STOPPING);
    assertThat(closed.detail()).isEqualTo("the relay is stopping: could not store");
  }

  @Test
  void an_error_from_the_batch_function_fails_its_callers_and_the_worker_goes_on() {
    try (GroupCommit<String, Integer> commits =
        new GroupCommit<>(
            "store",
            1,
            100,
            items -> {
              if (items.contains("boom")) {
                throw new AssertionError("boom");
              }
              return items.stream().map(String::length).toList();
            })) {
      OutboxUnavailableException failed =
          catchThrowableOfType(OutboxUnavailableException.class, () -> commits.submit("boom"));

      assertThat(failed.reason()).isEqualTo(OutboxUnavailableException.Reason.DATABASE);
      assertThat(failed.detail()).isEqualTo("boom");
      assertThat(commits.submit("ok")).isEqualTo(2);
    }
  }

  @Test
  void an_item_whose_size_cannot_be_read_fails_alone_and_its_batch_commits() throws Exception {
    try (GroupCommit<String, Integer> commits =
            new GroupCommit<>(
                "store",
                1,
                100,
                100,
                item -> {
                  if (item.equals("bad")) {
                    throw new IllegalArgumentException("no size");
                  }
                  return item.length();
                },
                100,
                Duration.ofSeconds(10),
                this::commit);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> first = callers.submit(() -> commits.submit("a"));
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());
      Future<Integer> before = callers.submit(() -> commits.submit("ab"));
      org.awaitility.Awaitility.await().until(() -> commits.waiting() == 1);
      Future<Integer> bad = callers.submit(() -> commits.submit("bad"));
      org.awaitility.Awaitility.await().until(() -> commits.waiting() == 2);
      Future<Integer> after = callers.submit(() -> commits.submit("cd"));
      org.awaitility.Awaitility.await().until(() -> commits.waiting() == 3);
      firstBatchMayCommit.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(catchThrowable(() -> bad.get(10, TimeUnit.SECONDS)))
          .hasRootCauseMessage("no size");
    }
    assertThat(batches).containsExactly(List.of("a"), List.of("ab", "cd"));
  }

  @Test
  void a_batch_that_returns_the_wrong_number_of_results_fails_its_callers_and_runs_once() {
    List<List<String>> ran = Collections.synchronizedList(new ArrayList<>());
    try (GroupCommit<String, Integer> commits =
        new GroupCommit<>(
            "store",
            1,
            100,
            items -> {
              ran.add(List.copyOf(items));
              return List.of();
            })) {
      OutboxUnavailableException failed =
          catchThrowableOfType(OutboxUnavailableException.class, () -> commits.submit("a"));

      assertThat(failed.detail()).isEqualTo("the batch gave 0 results for a batch of 1");
    }
    assertThat(ran).containsExactly(List.of("a"));
  }

  @Test
  void a_caller_interrupted_while_its_batch_commits_is_told_the_outcome_is_unknown()
      throws Exception {
    try (GroupCommit<String, Integer> commits = groupCommit(100)) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread caller =
          Thread.ofVirtual().start(() -> thrown.set(catchThrowable(() -> commits.submit("a"))));
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());
      caller.interrupt();
      caller.join(Duration.ofSeconds(10));
      firstBatchMayCommit.countDown();

      assertThat(thrown.get()).isInstanceOf(OutboxUnavailableException.class);
      OutboxUnavailableException e = (OutboxUnavailableException) thrown.get();
      assertThat(e.reason()).isEqualTo(OutboxUnavailableException.Reason.STOPPING);
      assertThat(e.detail()).contains("could not confirm");
    }
  }

  @Test
  void callers_beyond_the_capacity_wait_for_room_and_are_all_committed() throws Exception {
    try (GroupCommit<String, Integer> commits = groupCommit(2);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(callers.submit(() -> commits.submit("ab")));
      }
      Thread.sleep(Duration.ofMillis(200));
      firstBatchMayCommit.countDown();
      for (Future<Integer> call : calls) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      }
    }
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(20);
  }

  @Test
  void close_commits_every_item_handed_in_before_it_then_stops_the_workers() throws Exception {
    GroupCommit<String, Integer> commits =
        new GroupCommit<>(
            "store", 1, 100, 100, item -> item.length(), 20, Duration.ofSeconds(10), this::commit);
    List<Future<Integer>> calls = new ArrayList<>();
    // Shut down, not closed: a lost item would leave its caller waiting, and close() would wait
    // too.
    ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    try {
      calls.add(callers.submit(() -> commits.submit("abc")));
      // The first batch holds the only worker; eight more items wait behind it, then the stop:
      // the worker's next batch takes the eight and meets the stop while it gathers them.
      org.awaitility.Awaitility.await().until(() -> !batches.isEmpty());
      for (int i = 0; i < 8; i++) {
        calls.add(callers.submit(() -> commits.submit("abc")));
      }
      Thread.sleep(Duration.ofMillis(100));
      Future<?> closed = callers.submit(commits::close);
      Thread.sleep(Duration.ofMillis(100));
      assertThat(closed).as("close waits for the batch being committed").isNotDone();
      firstBatchMayCommit.countDown();
      closed.get(10, TimeUnit.SECONDS);
      for (Future<Integer> call : calls) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(3);
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(batches).extracting(List::size).containsExactly(1, 8);
    assertThat(catchThrowable(() -> commits.submit("late")))
        .isInstanceOf(OutboxUnavailableException.class);
  }
}
