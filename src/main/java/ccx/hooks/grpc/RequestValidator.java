package ccx.hooks.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

/** The checks every request passes before anything is sent or stored. */
final class RequestValidator {
  /**
   * Longest accepted id or name (cluster_id, work_id, cluster_name, node ids, ...): ids are index
   * keys of the outbox, and no real id or name comes near this.
   */
  static final int MAX_ID_LENGTH = 255;

  private RequestValidator() {}

  /**
   * Every check a hook call passes before anything is sent or stored: the bounds of each field,
   * then a cluster_id, a node_count that is not negative and the work_id's length.
   */
  static void check(HookCall call) {
    fields(call.request());
    clusterId(call.clusterId());
    nodeCount(call.nodeCount());
    workId(call.workId());
  }

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
   * Longest accepted auth_id: a session id or token that the relay only passes on; a signed token
   * (a JWT) can run to a few KiB, and nothing bigger has a reason to be sent.
   */
  static final int MAX_AUTH_ID_LENGTH = 8192;

  /** Most entries of a repeated field (node_ids): more nodes than any real cluster has. */
  static final int MAX_ENTRIES = 1000;

  /**
   * Checks every string field of {@code request}: at most {@link #MAX_ID_LENGTH} characters (ids
   * and names; auth_id {@link #MAX_AUTH_ID_LENGTH}), no U+0000 (PostgreSQL cannot store it, and no
   * id or name has a reason to contain it), and at most {@link #MAX_ENTRIES} entries in a repeated
   * field. These bounds keep a single call from filling the outbox or the integrator's logs.
   */
  static void fields(Message request) {
    for (Map.Entry<FieldDescriptor, Object> field : request.getAllFields().entrySet()) {
      String name = field.getKey().getName();
      Object value = field.getValue();
      if (value instanceof List<?> list) {
        if (list.size() > MAX_ENTRIES) {
          throw new InvalidRequestException(
              name + " has " + list.size() + " entries; at most " + MAX_ENTRIES + " are accepted");
        }
        for (int i = 0; i < list.size(); i++) {
          text(name + "[" + i + "]", name, list.get(i));
        }
      } else {
        text(name, name, value);
      }
    }
  }

  private static void text(String shown, String name, Object value) {
    if (value instanceof String text) {
      if (text.indexOf('\0') >= 0) {
        throw new InvalidRequestException(shown + " contains a NUL character");
      }
      int max = name.equals("auth_id") ? MAX_AUTH_ID_LENGTH : MAX_ID_LENGTH;
      if (text.length() > max) {
        throw new InvalidRequestException(
            shown + " is " + text.length() + " characters long; at most " + max + " are accepted");
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
