package ccx.hooks.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Applies the database migrations (db/migration) and exits. serve also applies them on start.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin DatabaseOption database;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Logging.quiet();
    try (OutboxAccess access = OutboxAccess.open(database)) {
      int applied = access.database.migrate();
      spec.commandLine()
          .getOut()
          .println(
              "applied "
                  + applied
                  + " migration"
                  + (applied == 1 ? "" : "s")
                  + "; the schema is current");
      return ExitCodes.OK;
    }
  }
}
