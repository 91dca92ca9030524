package ccx.hooks.outbox;

import ccx.hooks.core.Hook;
import java.util.Objects;

/**
 * A hook to store in the outbox. Four of its fields are strings, so it is built by name, and two of
 * them cannot trade places unnoticed:
 *
 * <pre>{@code
 * NewHook.of(Hook.POST_ADD_NODE)
 *     .clusterId("c1")
 *     .workId("w-1")
 *     .payload("{\"cluster_id\":\"c1\",\"work_id\":\"w-1\"}")
 *     .webhookId(WebhookIds.next())
 *     .build();
 * }</pre>
 *
 * A cluster_id or work_id not given is "" (a hook of no cluster is not ordered; one without a
 * work_id is never a duplicate), as the RPCs pass them; a traceparent not given is none. The
 * payload and the webhook-id have no such default, and {@link Builder#build()} refuses a hook
 * without them.
 */
public final class NewHook {
  private final Hook hook;
  private final String workId;
  private final String clusterId;
  private final String payload;
  private final String webhookId;
  private final String traceparent;

  private NewHook(Builder builder) {
    this.hook = builder.hook;
    this.workId = builder.workId;
    this.clusterId = builder.clusterId;
    this.payload = builder.payload;
    this.webhookId = builder.webhookId;
    this.traceparent = builder.traceparent;
  }

  /** A hook of {@code hook} to build: each field named at the call. */
  public static Builder of(Hook hook) {
    return new Builder(hook);
  }

  public Hook hook() {
    return hook;
  }

  public String workId() {
    return workId;
  }

  public String clusterId() {
    return clusterId;
  }

  /** Exactly the JSON body to deliver. */
  public String payload() {
    return payload;
  }

  /** The {@code webhook-id} every attempt will carry. */
  public String webhookId() {
    return webhookId;
  }

  /**
   * The W3C {@code traceparent} of the call that stored it, continued by every delivery; null when
   * the call carried none.
   */
  public String traceparent() {
    return traceparent;
  }

  /** The fields of a {@link NewHook}, each set by its name. */
  public static final class Builder {
    private final Hook hook;
    private String workId = "";
    private String clusterId = "";
    private String payload;
    private String webhookId;
    private String traceparent;

    private Builder(Hook hook) {
      this.hook = Objects.requireNonNull(hook, "hook");
    }

    public Builder clusterId(String clusterId) {
      this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
      return this;
    }

    public Builder workId(String workId) {
      this.workId = Objects.requireNonNull(workId, "workId");
      return this;
    }

    /** Exactly the JSON body to deliver: a JSON object. */
    public Builder payload(String payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    public Builder webhookId(String webhookId) {
      this.webhookId = Objects.requireNonNull(webhookId, "webhookId");
      return this;
    }

    /** The call's W3C {@code traceparent}; null or "" when it carried none. */
    public Builder traceparent(String traceparent) {
      this.traceparent = traceparent == null || traceparent.isEmpty() ? null : traceparent;
      return this;
    }

    /**
     * @throws IllegalStateException when the payload or the webhook-id was not given
     */
    public NewHook build() {
      if (payload == null || webhookId == null) {
        throw new IllegalStateException(
            "a new "
                + hook.path()
                + " hook needs "
                + (payload == null ? "a payload" : "a webhookId"));
      }
      return new NewHook(this);
    }
  }
}
