package ccx.hooks.chaos;

import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.PostAddNodeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends post-hooks as CCX does: each to a random relay, retried until one acknowledges it. Keeps
 * what the chaos and failover runs report: when each {@code UNAVAILABLE} came, and any other
 * failure (a read-only error answered {@code INTERNAL} would show here).
 */
public final class HookSender {
  private final List<RelayNode> relays;
  private final Duration callDeadline;
  private final List<Long> unavailableAt = Collections.synchronizedList(new ArrayList<>());
  private final Map<Status.Code, AtomicInteger> otherFailures = new ConcurrentHashMap<>();
  private final List<Long> acknowledgedAt = Collections.synchronizedList(new ArrayList<>());

  /** Each call given {@code callDeadline}, as a caller's own deadline. */
  public HookSender(List<RelayNode> relays, Duration callDeadline) {
    this.relays = relays;
    this.callDeadline = callDeadline;
  }

  /** False only when no relay acknowledged the hook within two minutes. */
  public boolean sendUntilAcknowledged(String cluster, String workId) throws InterruptedException {
    PostAddNodeRequest request =
        PostAddNodeRequest.newBuilder()
            .setClusterId(cluster)
            .setCloud("aws")
            .setNodeCount(1)
            .addNodeIds("n")
            .setWorkId(workId)
            .build();
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < giveUp) {
      RelayNode relay = relays.get(ThreadLocalRandom.current().nextInt(relays.size()));
      try {
        HookServiceGrpc.newBlockingStub(relay.channel())
            .withDeadlineAfter(callDeadline.toNanos(), TimeUnit.NANOSECONDS)
            .postAddNode(request);
        acknowledgedAt.add(System.nanoTime());
        return true;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
          unavailableAt.add(System.nanoTime());
        } else {
          otherFailures
              .computeIfAbsent(e.getStatus().getCode(), c -> new AtomicInteger())
              .incrementAndGet();
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    return false;
  }

  /** Times ({@link System#nanoTime()}) of the UNAVAILABLE answers, in no particular order. */
  public List<Long> unavailableAt() {
    synchronized (unavailableAt) {
      return List.copyOf(unavailableAt);
    }
  }

  /** The first acknowledgement after {@code nanoTime}, if any came after it. */
  public OptionalLong firstAcknowledgedAfter(long nanoTime) {
    synchronized (acknowledgedAt) {
      return acknowledgedAt.stream().mapToLong(t -> t).filter(t -> t > nanoTime).min();
    }
  }

  /** Answers other than OK and UNAVAILABLE, by status code. */
  public Map<Status.Code, Integer> otherFailures() {
    Map<Status.Code, Integer> counts = new ConcurrentHashMap<>();
    otherFailures.forEach((code, n) -> counts.put(code, n.get()));
    return counts;
  }
}
