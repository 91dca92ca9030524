package ccx.hooks.grpc;

/** The checks every request passes before anything is sent or stored. */
final class RequestValidator {
  /**
   * Longest accepted cluster_id and work_id: they are index keys of the outbox, and no real id
   * comes near this.
   */
  static final int MAX_ID_LENGTH = 255;

  private RequestValidator() {}

  static void clusterId(String clusterId) {
    if (clusterId.isBlank()) {
      throw new InvalidRequestException("cluster_id is required");
    }
    maxLength("cluster_id", clusterId);
  }

  static void nodeCount(int nodeCount) {
    if (nodeCount < 0) {
      throw new InvalidRequestException("node_count must not be negative, got " + nodeCount);
    }
  }

  static void workId(String workId) {
    maxLength("work_id", workId);
  }

  private static void maxLength(String field, String value) {
    if (value.length() > MAX_ID_LENGTH) {
      throw new InvalidRequestException(
          field
              + " is "
              + value.length()
              + " characters long; at most "
              + MAX_ID_LENGTH
              + " are accepted");
    }
  }
}
