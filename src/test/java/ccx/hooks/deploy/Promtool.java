package ccx.hooks.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus's promtool (Debian's {@code prometheus} package). Where it is not installed the
 * tests that need it are skipped with a message, unless {@code CCX_HOOK_REQUIRE_PROMTOOL} is set,
 * as .ci/run sets it after installing promtool: there a missing promtool fails the build.
 */
final class Promtool {
  record Result(int exitCode, String output) {}

  private Promtool() {}

  static Path require() {
    Optional<Path> found =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "promtool"))
            .filter(Files::isExecutable)
            .findFirst();
    if (found.isEmpty() && System.getenv("CCX_HOOK_REQUIRE_PROMTOOL") != null) {
      throw new AssertionError("promtool is required (CCX_HOOK_REQUIRE_PROMTOOL) but not on PATH");
    }
    Assumptions.assumeTrue(
        found.isPresent(),
        "promtool is not installed (apt-get install prometheus); .ci/run installs it");
    return found.get();
  }

  /** Runs promtool with {@code arguments} in {@code directory}, {@code input} on its stdin. */
  static Result run(Path directory, String input, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}
