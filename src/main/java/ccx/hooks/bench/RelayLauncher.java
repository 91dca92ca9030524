package ccx.hooks.bench;

import java.util.List;
import java.util.stream.Stream;

/**
 * How to start a relay in a child process: this JVM's {@code java}, a class path and the main class
 * whose {@code serve} command runs the relay. Given by the caller, so that the bench does not
 * depend on the command line that contains it.
 */
public record RelayLauncher(String java, String classPath, String mainClass) {
  /**
   * The JVM options the relay ships with: {@code bin/ccx-hook-service} and the image's entry point
   * give it the same ({@code DeploymentFilesTest}), so the bench measures the relay as it runs.
   *
   * <p>The serial collector: the relay's objects die young and its heap is small. Under the bench's
   * pre-hook load with {@code -Xmx256m}, G1 kept a 64 MB heap and stopped the relay 9.7 times a
   * second (1.6 % of the time), serial 5.6 times for about 1 ms each (0.6 %): every call in flight
   * waits out a pause, so G1's reached the p99 (docs/BENCHMARKS.md, eighth session). The JVM picks
   * serial by itself in a pod with less than 1,792 MiB of memory, as the chart's default limit is.
   * Metadata (about 60 MB once the relay has served) stays under the first threshold of 128 MB,
   * which spares serial three full collections as the relay starts (up to 164 ms).
   */
  public static final String DEFAULT_JVM_OPTIONS_TEXT = "-XX:+UseSerialGC -XX:MetaspaceSize=128m";

  /** {@link #DEFAULT_JVM_OPTIONS_TEXT}, one option each; the text is for help that quotes it. */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      List.of(DEFAULT_JVM_OPTIONS_TEXT.split(" "));

  /** The same {@code java} and class path as this JVM: the shaded jar, or a build's classes. */
  public static RelayLauncher sameJvm(String mainClass) {
    return new RelayLauncher(
        ProcessHandle.current().info().command().orElse("java"),
        System.getProperty("java.class.path"),
        mainClass);
  }

  /**
   * The command up to the relay's own arguments; {@code jvmOptions} come after {@link
   * #DEFAULT_JVM_OPTIONS}, so they can undo them ({@code -XX:-UseSerialGC -XX:+UseG1GC}).
   */
  List<String> command(List<String> jvmOptions) {
    return Stream.of(
            List.of(java),
            DEFAULT_JVM_OPTIONS,
            jvmOptions,
            List.of("--enable-native-access=ALL-UNNAMED", "-cp", classPath, mainClass))
        .flatMap(List::stream)
        .toList();
  }
}
