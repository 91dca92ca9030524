package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.util.Optional;

/** What {@code outbox list} shows: rows matching every given filter, oldest first. */
public record ListFilter(
    Optional<OutboxStatus> status, Optional<Hook> hook, Optional<String> clusterId, int limit) {}
