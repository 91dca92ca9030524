package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.core.Hook;
import ccx.hooks.outbox.ListFilter;
import ccx.hooks.outbox.NewHook;
import ccx.hooks.outbox.OutboxRepository;
import ccx.hooks.testing.CommandResult;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.testing.TestDatabase;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line as an operator meets it: {@code Main.run} with its own environment. */
class CommandLineTest {
  @RegisterExtension
  static final OutboxDatabase database =
      OutboxDatabase.migratedBy(
          url -> {
            CommandResult migrate = run("migrate", "--database-url", url.jdbcUrl());
            assertThat(migrate.exitCode()).as(migrate.err()).isZero();
          });

  static CommandResult run(Map<String, String> environment, String... args) {
    return CommandResult.run(environment, args);
  }

  static CommandResult run(String... args) {
    return CommandResult.run(Map.of(), args);
  }

  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of(List.of("serve"), List.of("--hook-url", "--database-url", "--retry-initial")),
        Arguments.of(List.of("local-server"), List.of("URL", "--data-dir", "--database-url")),
        Arguments.of(
            List.of("mock-hooks"), List.of("--port", "--reject", "--fail-rate", "--record")),
        Arguments.of(List.of("test-client"), List.of("HOOK", "JSON", "--target", "--timeout")),
        Arguments.of(List.of("outbox"), List.of("list", "show")),
        Arguments.of(
            List.of("outbox", "list"),
            List.of("--status", "--hook", "--cluster", "--limit", "--json")),
        Arguments.of(List.of("outbox", "show"), List.of("ID", "--json", "--database-url")),
        Arguments.of(
            List.of("replay"), List.of("--id", "--hook", "--since", "--work-id", "--dry-run")),
        Arguments.of(List.of("migrate"), List.of("--database-url")),
        Arguments.of(List.of(), List.of("serve", "migrate", "replay", "CCX_HOOK_HOOK_URL")));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void help_on_every_command_exits_0_and_describes_its_options(
      List<String> command, List<String> options) {
    String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);

    CommandResult result = run(args);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage:").contains(options);
    assertThat(result.err()).isEmpty();
  }

  @Test
  void the_help_of_every_option_of_every_command_names_the_variable_that_sets_it_once() {
    PrintStream discard = new PrintStream(PrintStream.nullOutputStream());
    List<CommandLine> commands =
        new ArrayList<>(List.of(Main.commandLine(Map.of(), discard, discard)));
    int options = 0;
    for (int i = 0; i < commands.size(); i++) {
      CommandLine command = commands.get(i);
      commands.addAll(command.getSubcommands().values());
      String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
      for (OptionSpec option : command.getCommandSpec().options()) {
        if (!option.usageHelp() && !option.versionHelp()) {
          String env = "Env: " + EnvironmentDefaults.variableFor(option.longestName()) + ".";
          assertThat(help.split(Pattern.quote(env), -1))
              .as(command.getCommandName() + " " + option.longestName() + ": says " + env + " once")
              .hasSize(2);
          options++;
        }
      }
    }
    assertThat(options).isGreaterThan(50);
  }

  @Test
  void an_option_whose_absence_means_something_says_what_after_its_variable() {
    CommandResult result = run("serve", "--help");

    assertThat(result.out())
        .contains("Env: CCX_HOOK_TLS_CERT. Default: plaintext.")
        .contains("Env: CCX_HOOK_MAX_REQUEST_BYTES. Default: 1048576")
        .contains("Env: CCX_HOOK_TLS_KEY.\n");
  }

  @Test
  void serve_help_names_the_environment_variable_and_default_of_its_options() {
    CommandResult result = run("serve", "--help");

    assertThat(result.out())
        .contains("CCX_HOOK_HOOK_URL", "CCX_HOOK_DATABASE_URL", "CCX_HOOK_RETRY_MAX")
        .contains("Default: 10m", "Default: 25");
  }

  @Test
  void an_unknown_option_exits_64_with_one_line_on_stderr() {
    CommandResult result = run("serve", "--hook-url", "http://h", "--no-such-option");

    assertThat(result.usageError()).contains("--no-such-option");
    assertThat(result.out()).isEmpty();
  }

  /**
   * Command lines an operator may get wrong: the environment they run in ("-": none; else
   * VARIABLE=value pairs), the arguments, and the words that the one line on stderr must hold. A
   * comment above each row says its rule. Arguments and words are separated by spaces.
   */
  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # An unknown option without a command is an error of serve.
          - | --no-such-option | serve
          # A bad duration names the option and the value.
          - | serve --hook-url http://h --retry-initial 5x | --retry-initial 5x
          # A duration out of range is shown as it was written.
          - | serve --hook-url http://h --database-url postgres://u@h/db --poll-interval 0s | --poll-interval positive 0s
          # serve needs a hook URL and a database.
          - | serve | --hook-url
          - | serve --hook-url http://integrator:8080/hooks | --database-url
          # A hook URL that is not http(s) is named with its option.
          - | serve --hook-url ftp://h --database-url postgres://u@h/db | --hook-url ftp://h
          # A user and password in the hook URL are refused: they would never be sent.
          - | serve --hook-url https://relay:pw@h --database-url postgres://u@h/db | --hook-url https://***@h user --hook-token
          # Options are read from environment variables: the hook URL is there, the database not.
          CCX_HOOK_HOOK_URL=http://integrator:8080 | serve | --database-url
          # An invalid value in the environment names the option.
          CCX_HOOK_HOOK_URL=http://integrator CCX_HOOK_PRE_HOOK_FAILURE=maybe | serve | --pre-hook-failure
          # The command line wins: the environment's bad URL is never read; the database is missing.
          CCX_HOOK_HOOK_URL=not-a-url | serve --hook-url http://h:1 | --database-url
          # replay by id cannot be combined with a filter.
          - | replay --id 1 --hook post-add-node | --id --hook
          # An id below 1 names no row.
          - | replay --id 0 | --id 0
          # test-client refuses a hook it does not know, and a request that is not JSON.
          - | test-client nonsense {} | nonsense
          - | test-client pre_add_node not-json | JSON PreAddNodeRequest
          # An operation's JSON feeds two requests; a field of neither is a mistake, named.
          - | test-client add_node {"clusterId":"c2","nodeCountt":1} | nodeCountt PreAddNodeRequest PostAddNodeRequest
          - | test-client add_node {"clusterId":"c2"}trailing | JSON nothing
          - | test-client pre_add_node {"clusterId":"c2"}{} | JSON nothing
          # A client command without a database names the option.
          - | outbox list | --database-url
          # outbox alone does nothing: it says which subcommands there are.
          - | outbox | list show
          """)
  void a_usage_error_exits_64_with_one_line_naming_what_is_wrong(
      String environment, String arguments, String named) {
    Map<String, String> variables = new HashMap<>();
    if (environment != null) {
      for (String pair : environment.split(" ")) {
        variables.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
    }

    CommandResult result = run(variables, arguments.split(" "));

    assertThat(result.usageError()).contains(named.split(" "));
  }

  @Test
  void a_failure_to_start_is_told_in_the_relays_words_with_the_systems() throws Exception {
    CommandResult record =
        run("mock-hooks", "--port", "0", "--quiet", "--record", "/nonexistent/dir/hooks.jsonl");
    CommandResult taken;
    try (java.net.ServerSocket busy =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      taken = run("mock-hooks", "--port", Integer.toString(busy.getLocalPort()), "--quiet");
      assertThat(taken.err())
          .contains("mock-hooks cannot listen on 127.0.0.1 port " + busy.getLocalPort() + ": ");
    }

    assertThat(record.exitCode()).isEqualTo(1);
    assertThat(record.err())
        .endsWith(
            "mock-hooks: error: --record: cannot append to /nonexistent/dir/hooks.jsonl"
                + " (NoSuchFileException)\n");
    assertThat(taken.exitCode()).isEqualTo(1);
    assertThat(taken.err()).contains("Address already in use");
  }

  @Test
  void migrate_applies_the_migrations_once() {
    String url = TestDatabase.createDatabase().jdbcUrl();

    CommandResult first = run("migrate", "--database-url", url);
    CommandResult second = run(Map.of("CCX_HOOK_DATABASE_URL", url), "migrate");

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo("applied 5 migrations; the schema is current\n");
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).isEqualTo("applied 0 migrations; the schema is current\n");
  }

  @Test
  void migrate_on_a_read_only_database_fails_saying_so_though_the_schema_is_current()
      throws Exception {
    String url = TestDatabase.createDatabase().jdbcUrl();
    assertThat(run("migrate", "--database-url", url).exitCode()).isZero();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.Statement s = c.createStatement()) {
      s.execute(
          "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on',"
              + " current_database()); END $$");
    }

    CommandResult readOnly = run("migrate", "--database-url", url);

    assertThat(readOnly.exitCode()).isEqualTo(1);
    assertThat(readOnly.out()).isEmpty();
    assertThat(readOnly.err()).contains("migrate: error: the database is read-only");
  }

  @Test
  void outbox_list_and_replay_work_on_an_empty_outbox() {
    CommandResult list = run("outbox", "list", "--database-url", database.url().jdbcUrl());
    CommandResult json =
        run("outbox", "list", "--json", "--database-url", database.url().jdbcUrl());
    CommandResult replay = run("replay", "--dry-run", "--database-url", database.url().jdbcUrl());

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).startsWith("ID  HOOK").contains("STATUS").endsWith("(0 rows)\n");
    assertThat(json.out().strip()).isEqualTo("[]");
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out()).isEqualTo("would replay 0 hooks\n");
  }

  @Test
  void a_stored_hook_is_listed_shown_and_replayed_by_id() {
    OutboxRepository outbox = database.outbox();
    outbox.enqueue(
        List.of(
            NewHook.of(Hook.POST_ADD_NODE)
                .clusterId("cluster-7")
                .workId("w-42")
                .payload("{\"cluster_id\":\"cluster-7\",\"work_id\":\"w-42\"}")
                .webhookId("msg_w42")
                .build()));
    String url = database.url().jdbcUrl();
    long id =
        outbox
            .list(new ListFilter(Optional.empty(), Optional.empty(), Optional.empty(), 1))
            .get(0)
            .id();

    CommandResult list = run("outbox", "list", "--hook", "post_add_node", "--database-url", url);
    CommandResult show = run("outbox", "show", Long.toString(id), "--database-url", url);
    CommandResult missing = run("outbox", "show", Long.toString(id + 1000), "--database-url", url);
    CommandResult failedOnly = run("replay", "--dry-run", "--database-url", url);
    CommandResult typo =
        run(
            "replay",
            "--id",
            Long.toString(id),
            "--id",
            Long.toString(id + 1000),
            "--database-url",
            url);
    OffsetDateTime replayedByTypo = outbox.find(id).orElseThrow().replayedAt();
    CommandResult replay = run("replay", "--id", Long.toString(id), "--database-url", url);

    assertThat(list.out()).contains("post-add-node", "cluster-7", "w-42", "pending", "(1 row)");
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("webhook_id:       msg_w42", "status:           pending", "\nlocked_by:\n")
        .contains("payload:          {\"work_id\":\"w-42\",", "attempts log (0):");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no row with id " + (id + 1000));
    assertThat(failedOnly.out()).isEqualTo("would replay 0 hooks\n");
    assertThat(typo.exitCode()).isEqualTo(1);
    assertThat(typo.err()).contains("no row with id " + (id + 1000) + "; nothing replayed");
    assertThat(replayedByTypo).as("nothing replayed").isNull();
    assertThat(replay.out()).isEqualTo("replayed 1 hook\n");
  }
}
