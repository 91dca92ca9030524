package ccx.hooks.config;

/**
 * {@code --pre-hook-failure}: what an approval pre-hook answers when the integrator gave no usable
 * answer.
 */
public enum FailurePolicy {
  /** gRPC {@code UNAVAILABLE} with the cause: CCX decides (the default). */
  ERROR,
  /** {@code approved=false} with the cause as the reason. */
  REJECT,
  /** {@code approved=true} with a relay-generated work_id: availability over control. */
  APPROVE
}
