package ccx.hooks.cli;

import ccx.hooks.config.Durations;
import ccx.hooks.core.ConfigException;
import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import ccx.hooks.core.Version;
import ccx.hooks.db.Database;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code ccx-hook-service} executable. Without a command it runs {@code serve}. */
@Command(
    name = "ccx-hook-service",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = {
      "Relays CCX lifecycle calls (gRPC) to an integrator as HTTP JSON hooks.",
      "Post-hooks are committed to a PostgreSQL outbox before the call is answered, then delivered at least once.",
      "Every option can also be set with the environment variable CCX_HOOK_<OPTION> (--hook-url: CCX_HOOK_HOOK_URL)."
    },
    subcommands = {
      ServeCommand.class,
      LocalServerCommand.class,
      MockHooksCommand.class,
      TestClientCommand.class,
      OutboxCommand.class,
      ReplayCommand.class,
      MigrateCommand.class,
      BenchCommand.class,
      HelpCommand.class
    })
public final class Main implements Runnable {
  private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command line; returns its exit code. */
  public static int run(
      String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine cli = commandLine(environment, out, err);
    return cli.execute(withDefaultCommand(args));
  }

  static CommandLine commandLine(
      Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
    cli.setHelpFactory(OptionHelp::new);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.registerConverter(Duration.class, Durations::parse);
    cli.registerConverter(Hook.class, Main::parseHook);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine()
              .getErr()
              .println(prefix(e.getCommandLine()) + e.getMessage() + " (see --help)");
          return ExitCodes.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
            command.getErr().println(prefix(command) + e.getMessage() + " (see --help)");
            return ExitCodes.USAGE;
          }
          command.getErr().println(prefix(command) + "error: " + describe(e));
          return ExitCodes.FAILURE;
        });
    return cli;
  }

  /** No command, or only options: {@code serve}. */
  static String[] withDefaultCommand(String[] args) {
    if (args.length == 0 || (args[0].startsWith("-") && !TOP_LEVEL_OPTIONS.contains(args[0]))) {
      return Stream.concat(Stream.of("serve"), Arrays.stream(args)).toArray(String[]::new);
    }
    return args;
  }

  static Hook parseHook(String name) {
    String normalized = name.trim().replace('_', '-');
    return Hook.fromPath(normalized)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'"
                        + name
                        + "' is not a hook; one of "
                        + Arrays.stream(Hook.values())
                            .map(Hook::path)
                            .collect(Collectors.joining(", "))));
  }

  private static String prefix(CommandLine command) {
    return command.getCommandSpec().qualifiedName() + ": ";
  }

  private static String describe(Exception e) {
    String message = inContext(e);
    return Database.readOnly(e) ? message + "; " + Database.READ_ONLY_HINT : message;
  }

  /**
   * The root cause's words, in the context the relay gave them where it did: the message of the
   * relay's own exception when it holds them ("mock-hooks cannot listen on 127.0.0.1 port 8080:
   * Address already in use" rather than "Address already in use"), its first line. Else the root's
   * alone: a library's wrapper may quote SQL, or a connection URL with its password.
   */
  static String inContext(Throwable e) {
    String root = RelayException.rootMessage(e);
    boolean ours =
        e instanceof RelayException || (e instanceof UncheckedIOException && e.getCause() != null);
    String message = e.getMessage();
    if (ours
        && message != null
        && message.contains(root)
        && !message.startsWith(String.valueOf(e.getCause()))) {
      return message.lines().findFirst().orElse(root);
    }
    return root;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ccx-hook-service " + Version.get()};
    }
  }
}
