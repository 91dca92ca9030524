package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.testing.JvmFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker cannot run here, so the image's entry point runs as a container would run it: its shell
 * command with the built jar in place of the image's, the JDK of this test as the {@code java} on
 * the PATH, and the container's arguments after it.
 */
class ImageEntrypointIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));

  @TempDir Path temp;

  private record Run(int exitCode, String out) {}

  private Run run(Map<String, String> environment, String... args) throws Exception {
    String script =
        DeploymentFilesTest.entrypointScript(Files.readString(ROOT.resolve("Dockerfile")))
            .replace(
                "/app/ccx-hook-service.jar",
                ROOT.resolve("target/ccx-hook-service.jar").toString());
    Path out = Files.createTempFile(temp, "out", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", script, "ccx-hook-service")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    builder.command().addAll(List.of(args));
    // Only what the image's own command gives the JVM; these would add a line of their own.
    for (String variable :
        List.of("CCX_HOOK_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
      builder.environment().remove(variable);
    }
    builder
        .environment()
        .put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    builder.environment().putAll(environment);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command ended").isTrue();
    return new Run(process.exitValue(), Files.readString(out));
  }

  @Test
  void the_container_arguments_reach_the_relay() throws Exception {
    Run run = run(Map.of(), "--version");

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out().lines()).anyMatch(line -> line.startsWith("ccx-hook-service "));
  }

  @Test
  void an_argument_with_spaces_and_quotes_reaches_the_relay_as_one() throws Exception {
    Run run = run(Map.of(), "mock-hooks", "--port", "not 'a' number");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.out()).contains("not 'a' number");
  }

  @Test
  void it_runs_the_serial_collector_unless_ccx_hook_java_opts_says_otherwise() throws Exception {
    Run shipped = run(Map.of("CCX_HOOK_JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
    Run other =
        run(
            Map.of("CCX_HOOK_JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:-UseSerialGC -XX:+UseG1GC"),
            "--version");

    assertThat(shipped.exitCode()).as(shipped.out()).isZero();
    assertThat(JvmFlags.setOnCommandLine(shipped.out(), "UseSerialGC")).isTrue();
    assertThat(other.exitCode()).as(other.out()).isZero();
    assertThat(JvmFlags.setOnCommandLine(other.out(), "UseG1GC")).isTrue();
    assertThat(JvmFlags.setOnCommandLine(other.out(), "UseSerialGC")).isFalse();
  }
}
