package ccx.hooks.cli;

import ccx.hooks.config.Durations;
import ccx.hooks.core.Hook;
import ccx.hooks.db.Database;
import ccx.hooks.outbox.ReplayFilter;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Puts hooks back to pending, due now, with a fresh budget of attempts and age: the rows given by --id"
          + " (any status), or else every failed row matching all of --hook, --cluster, --work-id and --since.",
      "Safe while relays run. Prints how many rows it replayed; an --id with no row replays nothing"
          + " and exits 1."
    })
final class ReplayCommand implements Callable<Integer> {
  @Option(
      names = "--id",
      paramLabel = "ID",
      description = "A row to replay, whatever its status; repeatable.")
  List<Long> ids = List.of();

  @Option(
      names = "--hook",
      paramLabel = "HOOK",
      description = "Only failed rows of this hook, e.g. post-add-node.")
  Hook hook;

  @Option(
      names = "--cluster",
      paramLabel = "ID",
      description = "Only failed rows of this cluster_id.")
  String cluster;

  @Option(
      names = "--work-id",
      paramLabel = "ID",
      description = "Only failed rows with this work_id.")
  String workId;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Only failed rows created at or after TIME: an ISO-8601 time (2026-11-26T10:00:00Z) or a duration ago (2h).")
  String since;

  @Option(
      names = "--dry-run",
      description = "Count the rows that would be replayed; change nothing.")
  boolean dryRun;

  @Mixin DatabaseOption database;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws SQLException {
    ReplayFilter filter = filter();
    Logging.quiet();
    try (OutboxAccess access = OutboxAccess.open(database)) {
      if (!dryRun && !access.writable()) {
        spec.commandLine().getErr().println("replay: error: " + Database.READ_ONLY_HINT);
        return ExitCodes.FAILURE;
      }
      List<Long> missing =
          ids.stream().distinct().filter(id -> access.outbox.find(id).isEmpty()).toList();
      if (!missing.isEmpty()) {
        // A mistyped id is refused whole: the operator meant every row named, not the others.
        spec.commandLine()
            .getErr()
            .println(
                "replay: no row with id "
                    + missing.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + "; nothing replayed");
        return ExitCodes.FAILURE;
      }
      int count = access.outbox.replay(filter, dryRun);
      spec.commandLine()
          .getOut()
          .println(
              (dryRun ? "would replay " : "replayed ") + count + " hook" + (count == 1 ? "" : "s"));
      return ExitCodes.OK;
    }
  }

  ReplayFilter filter() {
    if (!ids.isEmpty()) {
      if (hook != null || cluster != null || workId != null || since != null) {
        throw new IllegalArgumentException(
            "--id names rows exactly; it cannot be combined with --hook, --cluster, --work-id or --since");
      }
      ids.stream()
          .filter(id -> id < 1)
          .findFirst()
          .ifPresent(
              id -> {
                throw new IllegalArgumentException(
                    "--id " + id + " is no row id: outbox ids start at 1");
              });
      return ReplayFilter.ofIds(ids);
    }
    return new ReplayFilter(
        List.of(),
        Optional.ofNullable(hook),
        Optional.ofNullable(cluster),
        Optional.ofNullable(workId),
        Optional.ofNullable(since).map(ReplayCommand::parseSince));
  }

  static OffsetDateTime parseSince(String text) {
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException notOffset) {
      try {
        return Instant.now().minus(Durations.parse(text)).atOffset(ZoneOffset.UTC);
      } catch (IllegalArgumentException notDuration) {
        throw new IllegalArgumentException(
            "--since: '"
                + text
                + "' is neither an ISO-8601 time (2026-11-26T10:00:00Z) nor a duration (2h)");
      }
    }
  }
}
