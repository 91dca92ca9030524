package ccx.hooks.wire;

import ccx.hooks.wire.HookCallException.Reason;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import okhttp3.Response;
import okio.BufferedSource;

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

  /**
   * Reads an answer: its body up to {@link HookHttpClient#MAX_RESPONSE_BYTES} (a larger one is a
   * {@link Reason#TOO_LARGE} failure), and its {@code Retry-After} in seconds or as an HTTP date,
   * read against {@code wallClock}.
   */
  static HookResponse read(Response response, Clock wallClock) throws IOException {
    BufferedSource source = response.body().source();
    if (source.request(HookHttpClient.MAX_RESPONSE_BYTES + 1L)) {
      throw new HookCallException(
          Reason.TOO_LARGE,
          "HTTP "
              + response.code()
              + " answer larger than "
              + HookHttpClient.MAX_RESPONSE_BYTES
              + " bytes",
          null);
    }
    String body = source.getBuffer().readUtf8();
    return new HookResponse(response.code(), body, retryAfter(response, wallClock));
  }

  private static Optional<Duration> retryAfter(Response response, Clock wallClock) {
    String value = response.header("Retry-After");
    if (value == null || (response.code() != 429 && response.code() != 503)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(wallClock.instant(), at.toInstant());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException neither) {
        return Optional.empty();
      }
    }
  }
}
