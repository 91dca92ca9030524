package ccx.hooks.bench;

import java.util.List;
import java.util.stream.Stream;

/**
 * How to start a relay in a child process: this JVM's {@code java}, a class path and the main class
 * whose {@code serve} command runs the relay. Given by the caller, so that the bench does not
 * depend on the command line that contains it.
 */
public record RelayLauncher(String java, String classPath, String mainClass) {

  /** The same {@code java} and class path as this JVM: the shaded jar, or a build's classes. */
  public static RelayLauncher sameJvm(String mainClass) {
    return new RelayLauncher(
        ProcessHandle.current().info().command().orElse("java"),
        System.getProperty("java.class.path"),
        mainClass);
  }

  /** The command up to the relay's own arguments. */
  List<String> command(List<String> jvmOptions) {
    return Stream.of(
            List.of(java),
            jvmOptions,
            List.of("--enable-native-access=ALL-UNNAMED", "-cp", classPath, mainClass))
        .flatMap(List::stream)
        .toList();
  }
}
