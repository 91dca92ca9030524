package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import java.time.Duration;

/**
 * How pre-hooks are called.
 *
 * @param timeout {@code --pre-hook-timeout}: the whole HTTP call, shortened to the caller's gRPC
 *     deadline when that is sooner. Longer waits for slow integrators; shorter keeps CCX's calls
 *     fast when the integrator hangs.
 * @param failurePolicy {@code --pre-hook-failure}, for approval hooks only
 */
public record PreHookSettings(Duration timeout, FailurePolicy failurePolicy) {
  // Written once, as the command line reads them; the typed defaults are parsed from the text.
  public static final String TIMEOUT_TEXT = "5s";
  public static final String FAILURE_POLICY_TEXT = "error";
  public static final Duration DEFAULT_TIMEOUT = Durations.parse(TIMEOUT_TEXT);
  public static final FailurePolicy DEFAULT_FAILURE_POLICY =
      FailurePolicy.valueOf(FAILURE_POLICY_TEXT.toUpperCase(java.util.Locale.ROOT));

  public PreHookSettings {
    Validate.positive("--pre-hook-timeout", timeout);
    if (failurePolicy == null) {
      throw new ConfigException("--pre-hook-failure must be error, reject or approve");
    }
  }

  public static PreHookSettings defaults() {
    return new PreHookSettings(DEFAULT_TIMEOUT, DEFAULT_FAILURE_POLICY);
  }
}
