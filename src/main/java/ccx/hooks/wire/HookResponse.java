package ccx.hooks.wire;

import java.time.Duration;
import java.util.Optional;

/**
 * What the integrator answered to one hook.
 *
 * @param status the HTTP status code
 * @param body the answer's body, at most {@link HookHttpClient#MAX_RESPONSE_BYTES}
 * @param retryAfter the {@code Retry-After} of a 429 or 503, if it had one
 */
public record HookResponse(int status, String body, Optional<Duration> retryAfter) {
  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }
}
