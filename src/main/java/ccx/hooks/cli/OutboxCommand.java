package ccx.hooks.cli;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.ListFilter;
import ccx.hooks.outbox.OutboxRow;
import ccx.hooks.outbox.OutboxStatus;
import ccx.hooks.outbox.RecordedAttempt;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "outbox",
    mixinStandardHelpOptions = true,
    description = "Inspects the outbox: what waits, what was delivered, what failed and why.",
    subcommands = {OutboxCommand.ListRows.class, OutboxCommand.Show.class})
final class OutboxCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** No subcommand is a usage error, said in one line as every other one is. */
  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println("outbox: which? outbox list, or outbox show ID (see --help)");
    return ExitCodes.USAGE;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists outbox rows, oldest first.")
  static final class ListRows implements Callable<Integer> {
    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "Only rows in this status: queued, pending, delivering, delivered or failed.")
    OutboxStatus status;

    @Option(
        names = "--hook",
        paramLabel = "HOOK",
        description = "Only this hook, e.g. post-add-node.")
    Hook hook;

    @Option(names = "--cluster", paramLabel = "ID", description = "Only rows of this cluster_id.")
    String cluster;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "At most N rows.")
    int limit;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Mixin DatabaseOption database;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
      }
      Logging.quiet();
      try (OutboxAccess access = OutboxAccess.open(database)) {
        List<OutboxRow> rows =
            access.outbox.list(
                new ListFilter(
                    Optional.ofNullable(status),
                    Optional.ofNullable(hook),
                    Optional.ofNullable(cluster),
                    limit));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          OutboxFormat.printJson(
              out, OutboxFormat.array(rows.stream().map(OutboxFormat::json).toList()));
        } else {
          OutboxFormat.table(out, rows);
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one row, its payload and every attempt.")
  static final class Show implements Callable<Integer> {
    private static final String ATTEMPT_LOG = "attempt_log";

    @Parameters(index = "0", paramLabel = "ID", description = "The row's id.")
    long id;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Mixin DatabaseOption database;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Logging.quiet();
      PrintWriter out = spec.commandLine().getOut();
      try (OutboxAccess access = OutboxAccess.open(database)) {
        Optional<OutboxRow> row = access.outbox.find(id);
        if (row.isEmpty()) {
          spec.commandLine().getErr().println("outbox show: no row with id " + id);
          return ExitCodes.FAILURE;
        }
        List<RecordedAttempt> attempts = access.outbox.attempts(id);
        JsonObject shown = OutboxFormat.json(row.get());
        shown.add(
            ATTEMPT_LOG, OutboxFormat.array(attempts.stream().map(OutboxFormat::json).toList()));
        if (json) {
          OutboxFormat.printJson(out, shown);
        } else {
          printText(out, shown, attempts);
        }
        return ExitCodes.OK;
      }
    }

    /** The fields of {@code --json}, one per line, then the attempts in a line each. */
    private static void printText(
        PrintWriter out, JsonObject shown, List<RecordedAttempt> attempts) {
      shown.entrySet().stream()
          .filter(field -> !field.getKey().equals(ATTEMPT_LOG))
          .forEach(
              field -> {
                JsonElement value = field.getValue();
                String text =
                    value.isJsonNull()
                        ? ""
                        : value.isJsonPrimitive() ? value.getAsString() : value.toString();
                out.println(String.format("%-18s%s", field.getKey() + ":", text).stripTrailing());
              });
      out.printf("attempts log (%d):%n", attempts.size());
      for (RecordedAttempt a : attempts) {
        out.printf(
            "  #%d at %s by %s, %dms: %s%s%n",
            a.attempt(),
            OutboxFormat.time(a.startedAt()),
            a.lockedBy(),
            a.durationMs(),
            a.httpStatus() == null ? "no answer" : "HTTP " + a.httpStatus(),
            a.error() == null ? "" : " (" + a.error() + ")");
      }
    }
  }
}
