package ccx.hooks.grpc;

import ccx.hooks.v1.HookServiceGrpc;
import ccx.hooks.v1.HookServiceGrpc.HookServiceBlockingStub;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;

/**
 * Any of the eight RPCs, picked by its request's type, for tests that treat them alike: each
 * request message belongs to exactly one RPC ({@code PreAddNodeRequest} to {@code PreAddNode}).
 */
final class AnyRpc {
  private AnyRpc() {}

  /** The RPC's name, e.g. {@code PreAddNode}. */
  static String name(Message request) {
    return request.getDescriptorForType().getName().replaceFirst("Request$", "");
  }

  /** Calls the RPC of {@code request} as {@code stub} calls its own methods. */
  static Message call(HookServiceBlockingStub stub, Message request) {
    return ClientCalls.blockingUnaryCall(
        stub.getChannel(), method(request), stub.getCallOptions(), request);
  }

  /** {@code request} with the field of that proto name set to {@code value}. */
  static Message with(Message request, String field, Object value) {
    FieldDescriptor descriptor = request.getDescriptorForType().findFieldByName(field);
    if (descriptor == null) {
      throw new IllegalArgumentException(name(request) + " has no field " + field);
    }
    return request.toBuilder().setField(descriptor, value).build();
  }

  /**
   * A message of {@code like}'s type read from proto JSON that may hold fields the type does not
   * have, e.g. the response an integrator's answer should give.
   */
  static Message parseIgnoringUnknownFields(Message like, String json) {
    Message.Builder builder = like.newBuilderForType();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not proto JSON of " + name(like) + ": " + json, e);
    }
    return builder.build();
  }

  // The service's descriptors are of the generated request and response types; the one picked is
  // the one whose request type is the request's.
  @SuppressWarnings("unchecked")
  private static MethodDescriptor<Message, Message> method(Message request) {
    String rpc = name(request);
    return (MethodDescriptor<Message, Message>)
        HookServiceGrpc.getServiceDescriptor().getMethods().stream()
            .filter(m -> m.getBareMethodName().equals(rpc))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no RPC takes " + rpc + "Request"));
  }
}
