package ccx.hooks.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The eight hooks, with the names each side of the relay knows them by. */
public enum Hook {
  PRE_CREATE_CLUSTER("PreCreateCluster", Kind.APPROVAL),
  POST_CREATE_CLUSTER("PostCreateCluster", Kind.POST),
  PRE_ADD_NODE("PreAddNode", Kind.APPROVAL),
  POST_ADD_NODE("PostAddNode", Kind.POST),
  PRE_REMOVE_NODE("PreRemoveNode", Kind.NOTICE),
  POST_REMOVE_NODE("PostRemoveNode", Kind.POST),
  PRE_DELETE_CLUSTER("PreDeleteCluster", Kind.NOTICE),
  POST_DELETE_CLUSTER("PostDeleteCluster", Kind.POST);

  /** What the relay does with a hook. */
  public enum Kind {
    /** A pre-hook whose answer approves or rejects the creation of resources. */
    APPROVAL,
    /** A pre-hook that cannot reject; queued in the outbox when the integrator is unreachable. */
    NOTICE,
    /** A post-hook: stored in the outbox, then delivered at least once. */
    POST
  }

  private final String rpcName;
  private final Kind kind;

  Hook(String rpcName, Kind kind) {
    this.rpcName = rpcName;
    this.kind = kind;
  }

  /** The gRPC method name, e.g. {@code PreAddNode}. */
  public String rpcName() {
    return rpcName;
  }

  /** The kebab-case name used in URLs and in the outbox, e.g. {@code pre-add-node}. */
  public String path() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The snake_case name used by {@code test-client}, e.g. {@code pre_add_node}. */
  public String snakeName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isPre() {
    return kind != Kind.POST;
  }

  /** The post-hook that reports the end of the work this pre-hook announced. */
  public Hook post() {
    return isPre() ? values()[ordinal() + 1] : this;
  }

  public static Optional<Hook> fromPath(String path) {
    return Arrays.stream(values()).filter(h -> h.path().equals(path)).findFirst();
  }

  public static Optional<Hook> fromSnakeName(String name) {
    return Arrays.stream(values()).filter(h -> h.snakeName().equals(name)).findFirst();
  }
}
