package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.bench.RelayLauncher;
import ccx.hooks.config.RelayConfig;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Docker cannot run here, so this checks what can be checked of the Dockerfile and the compose
 * stack: every command, option and variable they use exists, and their paths and ports agree with
 * the build and the defaults.
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private final CommandLine cli =
      Main.commandLine(
          Map.of(),
          new PrintStream(PrintStream.nullOutputStream()),
          new PrintStream(PrintStream.nullOutputStream()));

  private static String read(String file) throws IOException {
    return Files.readString(ROOT.resolve(file));
  }

  /** The shell command of the Dockerfile's {@code ENTRYPOINT ["/bin/sh", "-c", command, name]}. */
  static String entrypointScript(String dockerfile) {
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(dockerfile);
    assertThat(m.find()).as("an ENTRYPOINT in exec form").isTrue();
    JsonArray entrypoint = JsonParser.parseString(m.group(1)).getAsJsonArray();
    assertThat(entrypoint.get(0).getAsString()).isEqualTo("/bin/sh");
    assertThat(entrypoint.get(1).getAsString()).isEqualTo("-c");
    return entrypoint.get(2).getAsString();
  }

  /** The JSON-style arrays of the compose file's {@code command:} lines. */
  private static List<List<String>> composeCommands(String compose) {
    List<List<String>> commands = new ArrayList<>();
    Matcher m = Pattern.compile("command:\\s*\\[(.*)]").matcher(compose);
    while (m.find()) {
      commands.add(
          Arrays.stream(m.group(1).split(",")).map(s -> s.trim().replace("\"", "")).toList());
    }
    return commands;
  }

  private void assertCommandExists(List<String> command) {
    CommandLine sub = cli.getSubcommands().get(command.get(0));
    assertThat(sub).as("command " + command.get(0)).isNotNull();
    for (String word : command.subList(1, command.size())) {
      if (word.startsWith("--")) {
        assertThat(sub.getCommandSpec().findOption(word))
            .as(command.get(0) + " " + word)
            .isNotNull();
      }
    }
  }

  @Test
  void every_command_and_option_of_the_compose_file_exists() throws IOException {
    List<List<String>> commands = composeCommands(read("docker-compose.yml"));
    assertThat(commands).extracting(c -> c.get(0)).containsExactlyInAnyOrder("mock-hooks", "serve");
    commands.forEach(this::assertCommandExists);
  }

  @Test
  void every_variable_the_compose_file_sets_is_an_option_of_serve() throws IOException {
    Matcher m = Pattern.compile("(CCX_HOOK_[A-Z_]+):").matcher(read("docker-compose.yml"));
    List<String> variables = new ArrayList<>();
    while (m.find()) {
      variables.add(m.group(1));
    }
    assertThat(variables).contains("CCX_HOOK_HOOK_URL", "CCX_HOOK_DATABASE_URL");
    List<String> serveVariables =
        cli.getSubcommands().get("serve").getCommandSpec().options().stream()
            .map(o -> EnvironmentDefaults.variableFor(o.longestName()))
            .toList();
    assertThat(serveVariables).containsAll(variables);
  }

  @Test
  void the_compose_database_url_and_hook_url_point_at_the_compose_services() throws IOException {
    String compose = read("docker-compose.yml");
    assertThat(compose).contains("CCX_HOOK_HOOK_URL: http://mock-hooks:8080");
    assertThat(compose)
        .contains("command: [\"mock-hooks\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\"]");
    assertThat(compose)
        .contains("CCX_HOOK_DATABASE_URL: postgres://ccx:ccx@postgres:5432/ccx_hooks");
    assertThat(compose)
        .contains("POSTGRES_USER: ccx", "POSTGRES_PASSWORD: ccx", "POSTGRES_DB: ccx_hooks");
    assertThat(compose).contains("condition: service_healthy");
  }

  @Test
  void every_option_of_serve_has_a_row_in_the_readme_configuration_reference() throws IOException {
    String readme = read("README.md");
    String reference = readme.substring(readme.indexOf("## Configuration reference"));
    for (var option : cli.getSubcommands().get("serve").getCommandSpec().options()) {
      String name = option.longestName();
      if (name.equals("--help") || name.equals("--version")) {
        continue;
      }
      assertThat(reference).as(name).contains("| `" + name);
      assertThat(reference).as(name).contains(EnvironmentDefaults.variableFor(name));
    }
  }

  @Test
  void the_readme_gives_every_option_of_serve_the_default_its_help_shows() throws IOException {
    String readme = read("README.md");
    String reference = readme.substring(readme.indexOf("## Configuration reference"));
    Map<String, String> documented = new java.util.HashMap<>();
    Matcher row =
        Pattern.compile("(?m)^\\| `(--[a-z-]+)[^|]*\\| `[A-Z_]+` \\| ([^|]*) \\|")
            .matcher(reference);
    while (row.find()) {
      documented.put(row.group(1), row.group(2).trim());
    }
    int compared = 0;
    for (var option : cli.getSubcommands().get("serve").getCommandSpec().options()) {
      String name = option.longestName();
      String helpDefault = option.defaultValue();
      if (helpDefault == null || helpDefault.isEmpty()) {
        continue;
      }
      assertThat(documented).as(name).containsEntry(name, helpDefault);
      assertThat(cli.getSubcommands().get("serve").getUsageMessage())
          .as(name)
          .contains("Default: " + helpDefault);
      compared++;
    }
    assertThat(compared).isGreaterThanOrEqualTo(18);
  }

  @Test
  void the_compose_relay_requires_a_caller_token_and_has_none_built_in() throws IOException {
    assertThat(read("docker-compose.yml"))
        .contains("CCX_HOOK_CLIENT_TOKEN: ${CCX_HOOK_CLIENT_TOKEN:?")
        .doesNotContain("--allow-unauthenticated")
        .doesNotContain("ALLOW_UNAUTHENTICATED");
  }

  @Test
  void the_dockerfile_runs_the_jar_the_build_makes_with_a_command_that_exists() throws IOException {
    String dockerfile = read("Dockerfile");
    assertThat(read("pom.xml")).contains("<finalName>ccx-hook-service</finalName>");
    assertThat(dockerfile)
        .contains("COPY --from=build /src/target/ccx-hook-service.jar /app/ccx-hook-service.jar");
    assertThat(entrypointScript(dockerfile)).contains(" -jar /app/ccx-hook-service.jar \"$@\"");
    Matcher cmd = Pattern.compile("CMD \\[\"([a-z-]+)\"]").matcher(dockerfile);
    assertThat(cmd.find()).isTrue();
    assertThat(cli.getSubcommands()).containsKey(cmd.group(1));
    assertThat(dockerfile).contains("USER 10001").contains("FROM eclipse-temurin:21-jre");
    assertThat(dockerfile)
        .contains("EXPOSE " + RelayConfig.DEFAULT_GRPC_PORT + " " + RelayConfig.DEFAULT_ADMIN_PORT)
        .contains("/readyz");
  }

  @Test
  void the_image_and_the_script_start_the_relay_with_the_jvm_options_the_bench_measures()
      throws IOException {
    String command = entrypointScript(read("Dockerfile"));
    // exec: java, not the shell, is the container's first process and receives SIGTERM.
    assertThat(command).startsWith("exec java ");
    List<String> image = Arrays.asList(command.split(" "));
    Matcher opts = Pattern.compile("\nopts=\"([^\"]*)\"").matcher(read("bin/ccx-hook-service"));
    assertThat(opts.find()).isTrue();
    List<String> script = Arrays.asList(opts.group(1).split(" "));
    assertThat(image).containsAll(RelayLauncher.DEFAULT_JVM_OPTIONS);
    assertThat(script).containsAll(RelayLauncher.DEFAULT_JVM_OPTIONS);
    // After them, so that they can be undone, as in bin/ccx-hook-service.
    assertThat(image.indexOf("$CCX_HOOK_JAVA_OPTS"))
        .isGreaterThan(image.indexOf(RelayLauncher.DEFAULT_JVM_OPTIONS.getLast()));
  }

  @Test
  void the_compose_ports_are_the_relays_defaults_published_on_loopback_only() throws IOException {
    String compose = read("docker-compose.yml");
    assertThat(compose)
        .contains(
            "\"127.0.0.1:"
                + RelayConfig.DEFAULT_GRPC_PORT
                + ":"
                + RelayConfig.DEFAULT_GRPC_PORT
                + "\"")
        .contains(
            "\"127.0.0.1:"
                + RelayConfig.DEFAULT_ADMIN_PORT
                + ":"
                + RelayConfig.DEFAULT_ADMIN_PORT
                + "\"");
    Matcher published = Pattern.compile("(?m)^\\s+- \"([0-9.:]+)\"$").matcher(compose);
    int ports = 0;
    while (published.find()) {
      ports++;
      assertThat(published.group(1)).as("a published port").startsWith("127.0.0.1:");
    }
    assertThat(ports).isEqualTo(5);
  }
}
