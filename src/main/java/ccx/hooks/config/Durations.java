package ccx.hooks.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 5s}, {@code 10m}, {@code 72h}, {@code
 * 7d}.
 */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the expected format
   */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (write 500ms, 5s, 10m, 72h or 7d)");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      Duration duration =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
      // Every user works in milliseconds: refuse here what would overflow there.
      duration.toMillis();
      return duration;
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      throw new IllegalArgumentException(
          "'" + text + "' is too large a duration (write 500ms, 5s, 10m, 72h or 7d)");
    }
  }

  /** The shortest exact form of {@code d} in the same notation. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms != 0) {
      return ms / 86_400_000 + "d";
    } else if (ms % 3_600_000 == 0 && ms != 0) {
      return ms / 3_600_000 + "h";
    } else if (ms % 60_000 == 0 && ms != 0) {
      return ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
