package ccx.hooks.config;

/** {@code --ordering}: whether the outbox delivers each cluster's hooks in the order stored. */
public enum Ordering {
  /** A row waiting for its retry holds back the later rows of its cluster (the default). */
  CLUSTER,
  /** Every due row is delivered as soon as possible; faster, but hooks may overtake each other. */
  NONE
}
