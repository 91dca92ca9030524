package ccx.hooks.cli;

import ccx.hooks.db.Database;
import picocli.CommandLine.Option;

/**
 * {@code --database-pool-size}, for the commands that run a relay. The operators' commands (outbox,
 * replay, migrate) use a connection or two and do not offer it.
 */
final class PoolSizeOption {
  @Option(
      names = "--database-pool-size",
      paramLabel = "N",
      defaultValue = "" + Database.DEFAULT_POOL_SIZE,
      description = {
        "Database connections this relay may hold.",
        "Env: CCX_HOOK_DATABASE_POOL_SIZE. Default: ${DEFAULT-VALUE}."
      })
  int poolSize;
}
