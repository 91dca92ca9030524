package ccx.hooks.cli;

import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "mock-hooks",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a stand-in integrator: prints each hook it receives and answers 200,"
          + " approving pre-hooks with a fresh work_id.",
      "Session ids (auth_id) are printed masked."
    })
final class MockHooksCommand implements Callable<Integer> {
  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on: this machine only by default, as the mock approves anything;"
              + " 0.0.0.0 for every interface (in a container).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port to listen on.")
  int port;

  @Option(
      names = "--reject",
      description = "Answer create-cluster and add-node with approved=false.")
  boolean reject;

  @Option(
      names = "--fail-rate",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of requests answered 503, from 0 to 1 (e.g. 0.3).")
  double failRate;

  @Option(
      names = "--delay",
      paramLabel = "DURATION",
      defaultValue = "0ms",
      description = "Wait before each answer (e.g. 200ms).")
  Duration delay;

  @Option(
      names = "--slow-rate",
      paramLabel = "RATE",
      defaultValue = "1",
      description =
          "Share of requests that wait --delay, from 0 to 1 (e.g. 0.1: one in ten answers slowly).")
  double slowRate;

  @Option(
      names = "--record",
      paramLabel = "FILE",
      description =
          "Append every hook received to FILE as a JSON line (time, path, headers, body, status).")
  Path record;

  @Option(names = "--quiet", description = "Do not print the hooks.")
  boolean quiet;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    MockHooksOptions.Builder options =
        MockHooksOptions.builder()
            .host(host)
            .port(port)
            .reject(reject)
            .failRate(failRate)
            .delay(delay)
            .slowRate(slowRate)
            .printTo(quiet ? null : System.out);
    if (record != null) {
      options.record(record);
    }
    MockHooksServer server = MockHooksServer.start(options.build());
    CountDownLatch stopped = new CountDownLatch(1);
    Shutdown.onSignal(server, stopped::countDown);
    spec.commandLine()
        .getErr()
        .println(
            "mock-hooks listening on " + host + " port " + server.port() + " (Ctrl-C stops it)");
    stopped.await();
    return ExitCodes.OK;
  }
}
