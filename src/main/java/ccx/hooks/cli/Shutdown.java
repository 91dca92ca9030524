package ccx.hooks.cli;

import ch.qos.logback.classic.LoggerContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.slf4j.LoggerFactory;

/** What SIGTERM and SIGINT do: close every part, flush the log, exit 0. */
final class Shutdown {
  /** The longest the halt waits for flight recordings to be written. */
  private static final Duration FLIGHT_RECORDING_WRITE = Duration.ofSeconds(5);

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

  /**
   * Writes every recording meant to be dumped on exit to a file. A running one is stopped here,
   * which writes it; JFR's own hook, running beside this one, may have stopped it first and be
   * writing it still. Either way the recording is closed once its file is complete, and the halt
   * waits for that, up to {@link #FLIGHT_RECORDING_WRITE}.
   */
  private static void writeFlightRecordings() {
    if (!FlightRecorder.isAvailable() || !FlightRecorder.isInitialized()) {
      return;
    }
    long deadline = System.nanoTime() + FLIGHT_RECORDING_WRITE.toNanos();
    for (Recording recording : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (!recording.getDumpOnExit() || recording.getDestination() == null) {
        continue;
      }
      try {
        if (recording.getState() == RecordingState.RUNNING) {
          recording.stop();
        }
      } catch (IllegalStateException stoppedMeanwhile) {
        // By JFR's own hook, which writes it: waited for below.
      }
      while (recording.getState() != RecordingState.CLOSED && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      }
    }
  }
}
