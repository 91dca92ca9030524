package ccx.hooks.chaos;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what the integrator recorded (mock-hooks --record) with what the relays acknowledged:
 * every acknowledged hook delivered, each cluster's first deliveries in the order sent.
 */
public final class ChaosAudit {
  private static final Pattern WORK_ID = Pattern.compile("\"work_id\":\\s*\"([^\"]*)\"");

  /** The figures of one run. */
  public record Result(
      int sent, int acknowledged, int delivered, int lost, int duplicates, int outOfOrder) {
    String line() {
      return String.format(
          "chaos: sent %d, acknowledged %d, delivered %d, lost %d, duplicates %d, out-of-order %d",
          sent, acknowledged, delivered, lost, duplicates, outOfOrder);
    }
  }

  /**
   * @param acknowledged per cluster, the work ids the relays acknowledged, in the order sent
   */
  public static Result audit(Path record, int sent, Map<String, List<String>> acknowledged)
      throws IOException {
    List<String> successes = new ArrayList<>();
    for (String line : Files.readAllLines(record)) {
      JsonObject hook = JsonParser.parseString(line).getAsJsonObject();
      if (hook.get("status").getAsInt() == 200
          && hook.get("path").getAsString().endsWith("/post-add-node")) {
        Matcher m = WORK_ID.matcher(hook.get("body").getAsString());
        if (m.find()) {
          successes.add(m.group(1));
        }
      }
    }
    Set<String> delivered = new HashSet<>(successes);
    int acknowledgedCount = acknowledged.values().stream().mapToInt(List::size).sum();
    int lost = 0;
    for (List<String> workIds : acknowledged.values()) {
      for (String workId : workIds) {
        if (!delivered.contains(workId)) {
          lost++;
        }
      }
    }
    // First successful deliveries, per cluster, in the order the integrator answered them.
    Map<String, List<String>> firstByCluster = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (String workId : successes) {
      if (seen.add(workId)) {
        firstByCluster.computeIfAbsent(clusterOf(workId), c -> new ArrayList<>()).add(workId);
      }
    }
    int outOfOrder = 0;
    for (Map.Entry<String, List<String>> cluster : acknowledged.entrySet()) {
      List<String> firsts =
          new ArrayList<>(firstByCluster.getOrDefault(cluster.getKey(), List.of()));
      firsts.retainAll(new HashSet<>(cluster.getValue()));
      List<String> expected = new ArrayList<>(cluster.getValue());
      expected.retainAll(new HashSet<>(firsts));
      for (int i = 0; i < expected.size(); i++) {
        if (!expected.get(i).equals(firsts.get(i))) {
          outOfOrder++;
        }
      }
    }
    return new Result(
        sent,
        acknowledgedCount,
        delivered.size(),
        lost,
        successes.size() - delivered.size(),
        outOfOrder);
  }

  /** Work ids are written {@code <cluster>-<n>}. */
  static String clusterOf(String workId) {
    return workId.substring(0, workId.lastIndexOf('-'));
  }
}
