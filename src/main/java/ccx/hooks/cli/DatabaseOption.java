package ccx.hooks.cli;

import ccx.hooks.db.DatabaseUrl;
import picocli.CommandLine.Option;

/** {@code --database-url}, for every command that opens the outbox. */
final class DatabaseOption {
  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description = {
        "PostgreSQL holding the outbox: postgres://user:password@host:5432/db or jdbc:postgresql://host:5432/db.",
        "Several hosts (h1:5432,h2:5432) connect to whichever is the primary."
      })
  String url;

  boolean isSet() {
    return url != null && !url.isBlank();
  }

  DatabaseUrl parse() {
    return DatabaseUrl.parse(url);
  }
}
