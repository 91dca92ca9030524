package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Which rows {@code replay} puts back to pending: the rows named by id, whatever their status, or
 * else every {@code failed} row matching all the given filters.
 */
public record ReplayFilter(
    List<Long> ids,
    Optional<Hook> hook,
    Optional<String> clusterId,
    Optional<String> workId,
    Optional<OffsetDateTime> since) {

  public ReplayFilter {
    ids = List.copyOf(ids);
  }

  public static ReplayFilter ofIds(List<Long> ids) {
    return new ReplayFilter(
        ids, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }
}
