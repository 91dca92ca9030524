package ccx.hooks.config;

/**
 * What one relay takes on at once. Beyond these, a call is refused at once ({@code
 * RESOURCE_EXHAUSTED}) rather than queued: CCX retries, and a relay that queued without end would
 * run out of memory or sockets instead.
 *
 * @param maxRequestBytes {@code --max-request-bytes} (1 MiB): the largest request message. A real
 *     request is well under 1 KiB; the largest, a post-create-cluster of 1,000 node ids, about 40.
 * @param maxConcurrentCalls {@code --max-concurrent-calls} (512): hook calls in flight. CCX calls
 *     at the pace of cluster operations, tens at once at the most; 512 leaves room for bursts and
 *     still bounds memory at 512 requests and the same number of threads.
 * @param maxPreHooksInFlight {@code --max-pre-hooks-in-flight} (64): pre-hook calls in flight, each
 *     an open HTTP request to the integrator. A hanging integrator holds each for the pre-hook
 *     timeout; this bounds the sockets (and the load on the integrator once it recovers).
 */
public record GrpcLimits(int maxRequestBytes, int maxConcurrentCalls, int maxPreHooksInFlight) {
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 512;
  public static final int DEFAULT_MAX_PRE_HOOKS_IN_FLIGHT = 64;

  public GrpcLimits {
    // Below 4 KiB even a small create-cluster request with its node ids would not fit.
    Validate.atLeast("--max-request-bytes", maxRequestBytes, 4096);
    Validate.atLeast("--max-concurrent-calls", maxConcurrentCalls, 1);
    Validate.atLeast("--max-pre-hooks-in-flight", maxPreHooksInFlight, 1);
  }

  public static GrpcLimits defaults() {
    return new GrpcLimits(
        DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_CONCURRENT_CALLS, DEFAULT_MAX_PRE_HOOKS_IN_FLIGHT);
  }
}
