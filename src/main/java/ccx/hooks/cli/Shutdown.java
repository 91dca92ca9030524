package ccx.hooks.cli;

import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.slf4j.LoggerFactory;

/** What SIGTERM and SIGINT do: close every part, flush the log, exit 0. */
final class Shutdown {
  private Shutdown() {}

  /**
   * Closes {@code parts} in order when the JVM is asked to stop. The JVM would exit 143 after a
   * SIGTERM; an orderly stop is a success, so this halts with 0 once everything is closed. The halt
   * also ends the JVM's other shutdown hooks, JFR's among them, so a flight recording started with
   * {@code dumponexit=true} is written here first.
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
                  writeFlightRecordings();
                  ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
                  System.err.flush();
                  System.out.flush();
                  Runtime.getRuntime().halt(ExitCodes.OK);
                },
                "shutdown"));
  }

  /** Stops every running recording meant to be dumped on exit to a file: stopping writes it. */
  private static void writeFlightRecordings() {
    if (!FlightRecorder.isAvailable() || !FlightRecorder.isInitialized()) {
      return;
    }
    for (Recording recording : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (recording.getDumpOnExit()
          && recording.getDestination() != null
          && recording.getState() == RecordingState.RUNNING) {
        try {
          recording.stop();
        } catch (RuntimeException e) { // stopped meanwhile by JFR's own hook
          System.err.println("flight recording " + recording.getName() + " not written: " + e);
        }
      }
    }
  }
}
