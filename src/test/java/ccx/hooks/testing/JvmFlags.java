package ccx.hooks.testing;

import java.util.regex.Pattern;

/**
 * Reads {@code -XX:+PrintFlagsFinal} output: whether a flag was set on the command line, as opposed
 * to chosen by the JVM's own ergonomics (which pick the serial collector on a small machine).
 */
public final class JvmFlags {
  private JvmFlags() {}

  /** True when {@code output} shows boolean {@code flag} set to true from the command line. */
  public static boolean setOnCommandLine(String output, String flag) {
    return Pattern.compile(
            "(?m)^\\s*bool\\s+"
                + Pattern.quote(flag)
                + "\\s+= true\\s+\\{[^}]*}\\s+\\{command line}")
        .matcher(output)
        .find();
  }
}
