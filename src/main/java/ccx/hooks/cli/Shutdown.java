package ccx.hooks.cli;

import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What SIGTERM and SIGINT do: close every part, flush the log, exit 0. */
final class Shutdown {
  private Shutdown() {}

  /**
   * Closes {@code parts} in order when the JVM is asked to stop. The JVM would exit 143 after a
   * SIGTERM; an orderly stop is a success, so this halts with 0 once everything is closed.
   */
  static void onSignal(AutoCloseable... parts) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (AutoCloseable part : List.of(parts)) {
                    try {
                      part.close();
                    } catch (Exception e) {
                      System.err.println("error while stopping: " + e);
                    }
                  }
                  ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
                  System.err.flush();
                  System.out.flush();
                  Runtime.getRuntime().halt(ExitCodes.OK);
                },
                "shutdown"));
  }
}
