package ccx.hooks.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

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

  /**
   * No string field may hold U+0000: PostgreSQL cannot store it, and no id or name has a reason to
   * contain it.
   */
  static void noNulCharacters(Message request) {
    for (Map.Entry<FieldDescriptor, Object> field : request.getAllFields().entrySet()) {
      Object value = field.getValue();
      List<?> values = value instanceof List<?> list ? list : List.of(value);
      for (Object v : values) {
        if (v instanceof String text && text.indexOf('\0') >= 0) {
          throw new InvalidRequestException(field.getKey().getName() + " contains a NUL character");
        }
      }
    }
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
