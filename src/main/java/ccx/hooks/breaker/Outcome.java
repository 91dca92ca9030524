package ccx.hooks.breaker;

/** What one call to an endpoint says about the endpoint (not about the row it carried). */
public enum Outcome {
  /**
   * The endpoint answered about the hook: 2xx, 3xx, and 4xx other than 408 (a refusal, a bad
   * request, or a 429 that paces us through Retry-After). The integrator is up.
   */
  ANSWERED,
  /**
   * A 5xx other than 502/503/504, or a 408: this hook failed, which its own backoff handles. Counts
   * against the endpoint only when every recent call failed.
   */
  ROW_FAILURE,
  /** Connection refused or reset, a timeout, 502/503/504: the endpoint is not there. */
  OUTAGE;

  /** How an HTTP status reads for the breaker. */
  public static Outcome ofStatus(int status) {
    if (status == 502 || status == 503 || status == 504) {
      return OUTAGE;
    }
    if (status >= 500 || status == 408) {
      return ROW_FAILURE;
    }
    return ANSWERED;
  }
}
