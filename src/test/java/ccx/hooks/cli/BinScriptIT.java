package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ccx.hooks.testing.JvmFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ccx-hook-service} finds a Java that can run the jar: JAVA_HOME when set (and says so
 * when it is not a JDK 21+), else the java on the PATH, else a JDK 21+ installed under {@code
 * /usr/lib/jvm}, as on a machine whose default java is older. Runs after the jar is built: the
 * script would otherwise build it.
 */
class BinScriptIT {
  private static final Path SCRIPT =
      Path.of(System.getProperty("user.dir"), "bin", "ccx-hook-service");

  @TempDir Path temp;

  private record Run(int exitCode, String out, String err) {}

  private Run run(Map<String, String> environment) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "--version");
    builder.environment().remove("JAVA_HOME");
    builder.environment().putAll(environment);
    Path out = temp.resolve("out");
    Path err = temp.resolve("err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script ended").isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** A directory holding a {@code java} that says it is Java 17, as the first entry of a PATH. */
  private Path oldJavaOnPath() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("old-jdk").resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java, "#!/bin/sh\necho '    java.specification.version = 17' >&2\necho 'openjdk 17' >&2\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private static boolean aJdk21IsInstalled() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return false;
    }
    try (Stream<Path> installed = Files.list(jvms)) {
      return installed.anyMatch(
          home -> {
            try {
              return Files.isExecutable(home.resolve("bin/java"))
                  && new ProcessBuilder(home.resolve("bin/java").toString(), "-version")
                      .redirectErrorStream(true)
                      .start()
                      .inputReader()
                      .lines()
                      .anyMatch(l -> l.matches(".*version \"(2[1-9]|[3-9][0-9]).*"));
            } catch (IOException e) {
              return false;
            }
          });
    }
  }

  @Test
  void without_java_home_and_an_old_java_on_the_path_it_uses_an_installed_jdk_21()
      throws Exception {
    assumeTrue(aJdk21IsInstalled(), "no JDK 21+ under /usr/lib/jvm on this machine");

    Run run = run(Map.of("PATH", oldJavaOnPath() + ":/usr/bin:/bin"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("ccx-hook-service ");
    assertThat(run.err()).contains("java on the PATH is Java 17; using /usr/lib/jvm/");
  }

  @Test
  void a_java_home_that_is_too_old_is_named_not_overridden() throws Exception {
    Path oldJdk = oldJavaOnPath().getParent();

    Run run = run(Map.of("JAVA_HOME", oldJdk.toString()));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .isEqualTo(
            List.of(
                "ccx-hook-service: needs Java 21 or newer, "
                    + oldJdk.resolve("bin/java")
                    + " is Java 17; set JAVA_HOME to a newer JDK"));
  }

  @Test
  void a_java_home_without_a_java_says_so() throws Exception {
    Path empty = Files.createDirectories(temp.resolve("not-a-jdk"));

    Run run = run(Map.of("JAVA_HOME", empty.toString()));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("JAVA_HOME=" + empty + " has no bin/java");
  }

  @Test
  void it_runs_the_serial_collector_unless_told_otherwise() throws Exception {
    String javaHome = System.getProperty("java.home");

    Run shipped = run(Map.of("JAVA_HOME", javaHome, "CCX_HOOK_JAVA_OPTS", "-XX:+PrintFlagsFinal"));
    Run other =
        run(
            Map.of(
                "JAVA_HOME",
                javaHome,
                "CCX_HOOK_JAVA_OPTS",
                "-XX:+PrintFlagsFinal -XX:-UseSerialGC -XX:+UseG1GC"));

    assertThat(shipped.exitCode()).as(shipped.err()).isZero();
    assertThat(JvmFlags.setOnCommandLine(shipped.out(), "UseSerialGC")).isTrue();
    assertThat(other.exitCode()).as(other.err()).isZero();
    assertThat(JvmFlags.setOnCommandLine(other.out(), "UseG1GC")).isTrue();
    assertThat(JvmFlags.setOnCommandLine(other.out(), "UseSerialGC")).isFalse();
  }
}
