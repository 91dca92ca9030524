package ccx.hooks.cli;

import ccx.hooks.app.Relay;
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
      "Migrations are applied on start; while PostgreSQL is unreachable it waits and retries.",
      "Callers must be authenticated: --client-token, or mutual TLS with --tls-client-names;"
          + " without either it refuses to start unless --allow-unauthenticated is given."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--hook-url",
      paramLabel = "URL",
      description =
          "The integrator's base URL; hooks are POSTed to URL/<hook>, e.g. URL/pre-add-node. A"
              + " query in it is sent with every hook; a user or password in it is refused (there is no"
              + " Basic authentication: use --hook-token).")
  String hookUrl;

  @Option(
      names = "--grpc-host",
      paramLabel = "HOST",
      description = {
        "Interface (name or address) the gRPC server listens on.",
        "Default: all interfaces."
      })
  String grpcHost;

  @Option(
      names = "--admin-host",
      paramLabel = "HOST",
      description = {
        "Interface (name or address) /healthz, /readyz and /metrics listen on.",
        "Default: all interfaces (probes and Prometheus reach the pod's" + " address)."
      })
  String adminHost;

  @Option(
      names = "--allow-unauthenticated",
      description = {
        "Start without --client-token or --tls-client-names: anyone who reaches the gRPC port can"
            + " make the relay send signed hooks. Only behind a network that admits CCX alone.",
        "Default: refuse to start without caller" + " authentication."
      })
  boolean allowUnauthenticated;

  @Mixin DatabaseOption database;
  @Mixin RelayOptions options;

  @Override
  public Integer call() throws InterruptedException {
    if (hookUrl == null || hookUrl.isBlank()) {
      throw new ccx.hooks.core.ConfigException(
          "--hook-url is required (e.g. --hook-url http://integrator:8080/hooks)");
    }
    RelayConfig config =
        options.toConfig(
            HookTarget.parseUrl(hookUrl),
            database.parse(),
            RelayConfig.host("--grpc-host", grpcHost),
            RelayConfig.host("--admin-host", adminHost),
            allowUnauthenticated);
    Logging.use(options.logFormat);
    Relay relay = Relay.start(config);
    Shutdown.onSignal(relay);
    relay.blockUntilShutdown();
    return ExitCodes.OK;
  }
}
