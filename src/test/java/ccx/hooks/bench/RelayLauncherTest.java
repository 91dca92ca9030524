package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.cli.Main;
import ccx.hooks.testing.JvmFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench starts its relays with the JVM options the relay ships with, which it can undo. */
class RelayLauncherTest {
  private static final RelayLauncher LAUNCHER = RelayLauncher.sameJvm(Main.class.getName());

  @TempDir Path temp;

  /** The final flags of a JVM started as the bench starts a relay, with {@code jvmOptions}. */
  private String flagsOf(List<String> jvmOptions) throws Exception {
    List<String> options = new ArrayList<>(jvmOptions);
    options.add(0, "-XX:+PrintFlagsFinal");
    List<String> command = new ArrayList<>(LAUNCHER.command(options));
    command.add("--version");
    Path out = Files.createTempFile(temp, "flags", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the JVM ended").isTrue();
    String flags = Files.readString(out);
    assertThat(process.exitValue()).as(flags).isZero();
    return flags;
  }

  @Test
  void the_shipped_options_come_first_and_the_relay_jvm_options_after_them() {
    List<String> command = LAUNCHER.command(List.of("-Xmx256m"));
    List<String> expected = new ArrayList<>(RelayLauncher.DEFAULT_JVM_OPTIONS);
    expected.add("-Xmx256m");

    int first = command.indexOf(expected.get(0));
    assertThat(first).isPositive();
    assertThat(command.subList(first, first + expected.size())).isEqualTo(expected);
  }

  @Test
  void a_relay_runs_the_serial_collector_as_shipped() throws Exception {
    String flags = flagsOf(List.of());

    assertThat(JvmFlags.setOnCommandLine(flags, "UseSerialGC")).as(flags).isTrue();
  }

  @Test
  void relay_jvm_options_can_undo_the_shipped_collector() throws Exception {
    String flags = flagsOf(List.of("-XX:-UseSerialGC", "-XX:+UseG1GC"));

    assertThat(JvmFlags.setOnCommandLine(flags, "UseG1GC")).as(flags).isTrue();
    assertThat(JvmFlags.setOnCommandLine(flags, "UseSerialGC")).as(flags).isFalse();
  }
}
