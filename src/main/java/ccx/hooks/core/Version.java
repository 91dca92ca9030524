package ccx.hooks.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build, as written into {@code ccx-hook-service.properties} by Maven. */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  /** The {@code User-Agent} sent with every hook. */
  public static String userAgent() {
    return "ccx-hook-service/" + VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/ccx-hook-service.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "dev");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
