package ccx.hooks.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Post-hooks from many clusters at once, as CCX sends them: each cluster's hooks one after the
 * other (the next only once the last was acknowledged), spread over about {@code sending} with
 * jittered pauses so that the clusters interleave. Keeps what the audit needs: how many were sent
 * and, per cluster, which work_ids were acknowledged.
 */
public final class ClusterTraffic {
  private final Map<String, List<String>> acknowledged = new LinkedHashMap<>();
  private final AtomicInteger sent = new AtomicInteger();

  private ClusterTraffic() {}

  /** Submits one sending task per cluster to {@code senders}; closing it waits for them all. */
  public static ClusterTraffic submit(
      ExecutorService senders, HookSender sender, int hooks, int clusters, Duration sending) {
    ClusterTraffic traffic = new ClusterTraffic();
    int perCluster = hooks / clusters;
    long pauseNanos = sending.toNanos() / perCluster;
    for (int c = 0; c < clusters; c++) {
      String cluster = "k" + c;
      List<String> acked = Collections.synchronizedList(new ArrayList<>());
      traffic.acknowledged.put(cluster, acked);
      senders.submit(
          () -> {
            for (int i = 0; i < perCluster; i++) {
              String workId = cluster + "-" + i;
              traffic.sent.incrementAndGet();
              if (sender.sendUntilAcknowledged(cluster, workId)) {
                acked.add(workId);
              }
              TimeUnit.NANOSECONDS.sleep(
                  ThreadLocalRandom.current().nextLong(pauseNanos / 2, pauseNanos * 3 / 2));
            }
            return null;
          });
    }
    return traffic;
  }

  public int sent() {
    return sent.get();
  }

  /** The acknowledged work_ids of each cluster, in the order they were acknowledged. */
  public Map<String, List<String>> acknowledged() {
    return acknowledged;
  }
}
