package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.cli.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bench starts its relays with the JVM options the relay ships with, which it can undo. */
class RelayLauncherTest {
  private static String flagsOf(List<String> jvmOptions) throws Exception {
    List<String> options = new ArrayList<>(jvmOptions);
    options.add(0, "-XX:+PrintCommandLineFlags");
    List<String> command =
        new ArrayList<>(RelayLauncher.sameJvm(Main.class.getName()).command(options));
    command.add("--version");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void a_relay_runs_the_serial_collector_as_shipped() throws Exception {
    assertThat(RelayLauncher.DEFAULT_JVM_OPTIONS).contains("-XX:+UseSerialGC");
    assertThat(flagsOf(List.of())).contains("-XX:+UseSerialGC").doesNotContain("-XX:+UseG1GC");
  }

  @Test
  void relay_jvm_options_come_after_the_defaults_and_can_undo_them() throws Exception {
    assertThat(flagsOf(List.of("-XX:-UseSerialGC", "-XX:+UseG1GC")))
        .contains("-XX:+UseG1GC")
        .doesNotContain("-XX:+UseSerialGC");
  }
}
