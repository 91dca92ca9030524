package ccx.hooks.cli;

import ccx.hooks.Relay;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.wire.HookTarget;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    showDefaultValues = false,
    description = {
      "Runs the relay: the gRPC server, the outbox drainer and the admin HTTP server.",
      "Needs --hook-url and --database-url (or CCX_HOOK_HOOK_URL and CCX_HOOK_DATABASE_URL).",
      "Migrations are applied on start; while PostgreSQL is unreachable it waits and retries."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--hook-url",
      paramLabel = "URL",
      description = {
        "The integrator's base URL; hooks are POSTed to URL/<hook>, e.g. URL/pre-add-node.",
        "Env: CCX_HOOK_HOOK_URL."
      })
  String hookUrl;

  @Mixin DatabaseOption database;
  @Mixin RelayOptions options;

  @Override
  public Integer call() throws InterruptedException {
    if (hookUrl == null || hookUrl.isBlank()) {
      throw new ccx.hooks.ConfigException(
          "--hook-url is required (e.g. --hook-url http://integrator:8080/hooks)");
    }
    RelayConfig config =
        options.toConfig(HookTarget.parseUrl(hookUrl), database.parse(), database.poolSize);
    Logging.use(options.logFormat);
    Relay relay = Relay.start(config);
    Shutdown.onSignal(relay);
    relay.blockUntilShutdown();
    return ExitCodes.OK;
  }
}
