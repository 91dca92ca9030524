package ccx.hooks.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What one command line did, run in this JVM through {@code Main.run} with its own environment. */
public record CommandResult(int exitCode, String out, String err) {
  public static CommandResult run(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode =
        Main.run(
            args,
            environment,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CommandResult(
        exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public List<String> errLines() {
    return err.lines().toList();
  }

  /**
   * The one line a usage error prints: checks that the command exited 64 (EX_USAGE) and wrote that
   * line alone on standard error.
   */
  public String usageError() {
    assertThat(exitCode).as("exit status; stderr: %s", err).isEqualTo(64);
    assertThat(errLines()).as("stderr").hasSize(1);
    return errLines().get(0);
  }
}
