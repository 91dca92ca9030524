package ccx.hooks.cli;

import ccx.hooks.app.Relay;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.core.ConfigException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.db.EmbeddedDatabase;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.wire.HookTarget;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "local-server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the relay on one machine, with nothing else installed.",
      "Hooks go to URL (a bare host[:port] means http://host:port); without URL an in-process mock"
          + " integrator answers them and prints each one.",
      "Without --database-url an embedded PostgreSQL keeps the outbox under --data-dir.",
      "It listens on loopback only (gRPC and admin HTTP), so it needs no --client-token."
    })
final class LocalServerCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "URL",
      description = "Where hooks go; default: an in-process mock integrator.")
  String url;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = ".ccx-hook-service",
      description = "Where the embedded PostgreSQL keeps its data.")
  Path dataDir;

  @Mixin DatabaseOption database;
  @Mixin RelayOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Logging.use(options.logFormat);
    List<AutoCloseable> parts = new ArrayList<>();
    try {
      HttpUrl hookUrl;
      if (url == null) {
        MockHooksServer mock =
            MockHooksServer.start(MockHooksOptions.builder().printTo(System.out).build());
        parts.add(mock);
        hookUrl = HttpUrl.get(mock.url());
      } else {
        hookUrl = parseLocalUrl(url);
      }
      DatabaseUrl db;
      if (database.isSet()) {
        db = database.parse();
      } else {
        spec.commandLine()
            .getErr()
            .println(
                "Starting the embedded PostgreSQL in "
                    + dataDir.resolve("postgres").toAbsolutePath());
        EmbeddedDatabase embedded =
            EmbeddedDatabase.start(Optional.of(dataDir.resolve("postgres")));
        parts.add(embedded);
        db = embedded.url("postgres");
      }
      // One machine: only its own processes reach loopback, so no caller check is needed (a
      // --client-token given is still checked).
      Optional<InetAddress> loopback = Optional.of(InetAddress.getLoopbackAddress());
      RelayConfig config = options.toConfig(hookUrl, db, loopback, loopback, true);
      Relay relay = Relay.start(config);
      parts.add(0, relay);
      Shutdown.onSignal(parts.toArray(AutoCloseable[]::new));
      spec.commandLine()
          .getErr()
          .printf(
              "local-server ready: gRPC on localhost:%d, hooks to %s. Try:%n  bin/ccx-hook-service test-client --target localhost:%d add_node"
                  + " '{\"clusterId\":\"1\",\"cloud\":\"c1\",\"nodeCount\":1,\"instanceType\":\"i1\",\"authId\":\"a1\"}'%n",
              relay.grpcPort(), config.target().display(), relay.grpcPort());
      relay.blockUntilShutdown();
      return ExitCodes.OK;
    } catch (RuntimeException e) {
      for (AutoCloseable part : parts) {
        try {
          part.close();
        } catch (Exception ignored) {
          // Already failing; the original error is the one to report.
        }
      }
      throw e;
    }
  }

  /** A URL, or a bare {@code host[:port]} meaning {@code http://host:port}. */
  static HttpUrl parseLocalUrl(String url) {
    String withScheme = url.contains("://") ? url : "http://" + url;
    HttpUrl parsed = HttpUrl.parse(withScheme);
    if (parsed == null) {
      throw new ConfigException(
          "URL: '" + HookTarget.redact(url) + "' is neither a URL nor host[:port]");
    }
    return HookTarget.withoutCredentials("URL", withScheme, parsed);
  }
}
