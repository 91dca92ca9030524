package ccx.hooks.prehook;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;
import ccx.hooks.wire.HookCallException;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookJson;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * A pre-hook got no usable answer: no answer, a non-2xx status, or (for approval hooks) a 2xx whose
 * body cannot be used. It says so twice, each set of words fixed where the failure is known: {@link
 * #detail()} for the relay's log (it may name the integrator's address or quote its answer), and
 * {@link #summary()} for the caller (the relay's own words and numbers only).
 */
public final class PreHookException extends RelayException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure it was. */
  public enum Failure {
    /** The integrator answered a status that is neither a success nor a refusal (5xx, 408, …). */
    HTTP_STATUS,
    /** A 2xx that an approval hook cannot use: no JSON object, or a work_id CCX would refuse. */
    UNUSABLE_ANSWER,
    /** No complete answer within the timeout. */
    TIMEOUT,
    /**
     * No answer before the caller's deadline, which left the integrator less than half of {@code
     * --pre-hook-timeout}: it says nothing about the integrator, so no failure policy applies.
     */
    CALLERS_DEADLINE,
    /** An answer larger than the relay reads. */
    TOO_LARGE,
    /** The connection was refused or reset, or the host name did not resolve. */
    CONNECTION,
    /** The TLS handshake with the integrator failed. */
    TLS,
    /** The endpoint's circuit breaker is open: the integrator was not called. */
    CIRCUIT_OPEN,
    /** The request could not be built, or the relay is stopping. */
    NOT_SENT
  }

  private final Hook hook;
  private final Failure failure;
  private final String detail;
  private final String summary;

  private PreHookException(
      Hook hook, Failure failure, String detail, String summary, Throwable cause) {
    super(hook.path() + " hook failed: " + detail, cause);
    this.hook = hook;
    this.failure = failure;
    this.detail = detail;
    this.summary = summary;
  }

  /** The integrator answered {@code status}, which is no answer. */
  static PreHookException status(Hook hook, int status) {
    String answered = "integrator answered HTTP " + status;
    return new PreHookException(hook, Failure.HTTP_STATUS, answered, answered, null);
  }

  /** A 2xx ({@code status}) whose body breaks the contract as {@code e} says. */
  static PreHookException unusable(Hook hook, int status, HookJson.ContractException e) {
    String but = "HTTP " + status + " but ";
    return new PreHookException(
        hook, Failure.UNUSABLE_ANSWER, but + e.getMessage(), but + e.problem(), e);
  }

  /**
   * No answer, for the reason {@code e} gives, to a call that had {@code timeout}; {@code
   * callersDeadline} when that was the caller's deadline, too short to judge the integrator by.
   */
  static PreHookException noAnswer(
      Hook hook, HookCallException e, Duration timeout, boolean callersDeadline) {
    String detail = e.getMessage();
    if (callersDeadline && e.reason() == HookCallException.Reason.TIMEOUT) {
      return new PreHookException(
          hook,
          Failure.CALLERS_DEADLINE,
          detail + " (the call's deadline)",
          "no answer within the "
              + timeout.toMillis()
              + "ms the call's deadline left (less than half of --pre-hook-timeout)",
          e);
    }
    return switch (e.reason()) {
      case CIRCUIT_OPEN ->
          new PreHookException(
              hook,
              Failure.CIRCUIT_OPEN,
              detail,
              "circuit breaker open: the integrator failed recently and was not called",
              e);
      case TIMEOUT ->
          new PreHookException(
              hook,
              Failure.TIMEOUT,
              detail,
              "no answer within " + timeout.toMillis() + "ms (timeout)",
              e);
      case TOO_LARGE ->
          new PreHookException(
              hook,
              Failure.TOO_LARGE,
              detail,
              "answer larger than " + HookHttpClient.MAX_RESPONSE_BYTES + " bytes",
              e);
      case CONNECTION ->
          e.getCause() instanceof SSLException
              ? new PreHookException(
                  hook, Failure.TLS, detail, "TLS error (the relay's log says why)", e)
              : new PreHookException(
                  hook,
                  Failure.CONNECTION,
                  detail,
                  "connection failed (the relay's log says why)",
                  e);
      case INTERRUPTED, UNSENDABLE ->
          new PreHookException(
              hook, Failure.NOT_SENT, detail, "no usable answer (the relay's log says why)", e);
    };
  }

  public Hook hook() {
    return hook;
  }

  public Failure failure() {
    return failure;
  }

  /**
   * What happened, in full, for the relay's log: it may name the integrator's address or quote its
   * answer.
   */
  public String detail() {
    return detail;
  }

  /**
   * What kind of failure it was, for the caller (an UNAVAILABLE's description, or the reason of a
   * decision under {@code --pre-hook-failure} reject or approve): the relay's own words and
   * numbers, never the integrator's address, the driver's words or the integrator's answer.
   */
  public String summary() {
    return summary;
  }
}
