package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import java.time.Duration;

/** Checks shared by the settings records; each message names the option. */
final class Validate {
  private Validate() {}

  static void positive(String option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigException(
          option
              + " must be a positive duration, got "
              + (value == null ? "none" : Durations.format(value)));
    }
  }

  static void atLeast(String option, int value, int minimum) {
    if (value < minimum) {
      throw new ConfigException(option + " must be at least " + minimum + ", got " + value);
    }
  }

  static void port(String option, int value) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(option + " must be a port from 0 to 65535, got " + value);
    }
  }
}
