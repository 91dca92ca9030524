package ccx.hooks.cli;

import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import picocli.CommandLine.Option;

/** {@code --database-url}, for every command that opens the outbox. */
final class DatabaseOption {
  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description = {
        "PostgreSQL holding the outbox: postgres://user:password@host:5432/db or jdbc:postgresql://host:5432/db.",
        "Several hosts (h1:5432,h2:5432) connect to whichever is the primary.",
        "Env: CCX_HOOK_DATABASE_URL."
      })
  String url;

  @Option(
      names = "--database-pool-size",
      paramLabel = "N",
      defaultValue = "" + Database.DEFAULT_POOL_SIZE,
      description = {
        "Database connections this process may hold.",
        "Env: CCX_HOOK_DATABASE_POOL_SIZE. Default: ${DEFAULT-VALUE}."
      })
  int poolSize;

  boolean isSet() {
    return url != null && !url.isBlank();
  }

  DatabaseUrl parse() {
    return DatabaseUrl.parse(url);
  }
}
