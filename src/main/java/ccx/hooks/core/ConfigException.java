package ccx.hooks.core;

/** A configuration value is missing or wrong; the message names the option. */
public final class ConfigException extends RelayException {
  public ConfigException(String message) {
    super(message);
  }
}
