package ccx.hooks.cli;

import ccx.hooks.db.Database;
import java.sql.SQLException;
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
  public Integer call() throws SQLException {
    Logging.quiet();
    try (OutboxAccess access = OutboxAccess.open(database)) {
      if (!access.writable()) {
        spec.commandLine().getErr().println("migrate: error: " + Database.READ_ONLY_HINT);
        return ExitCodes.FAILURE;
      }
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
