package ccx.hooks.cli;

import ccx.hooks.core.Hook;
import ccx.hooks.wire.HookJson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "test-client",
    mixinStandardHelpOptions = true,
    description = {
      "Calls the relay as CCX would and prints one line per call: the RPC name and the response as compact proto JSON.",
      "HOOK is an RPC in snake_case (pre_add_node, post_add_node, ...) or a whole operation"
          + " (create_cluster, add_node, remove_node, delete_cluster): the pre-hook, then, if it approved,"
          + " the post-hook with the returned work_id.",
      "JSON is the request in proto JSON, e.g. '{\"clusterId\":\"1\",\"cloud\":\"c1\",\"nodeCount\":1,\"instanceType\":\"i1\",\"authId\":\"a1\"}'.",
      "Exit status: 0 done, 2 a pre-hook did not approve, 1 a gRPC error (status and message on stderr), 64 bad arguments."
    })
final class TestClientCommand implements Callable<Integer> {
  private static final List<String> OPERATIONS =
      List.of("create_cluster", "add_node", "remove_node", "delete_cluster");
  private static final JsonFormat.Printer COMPACT =
      JsonFormat.printer().omittingInsignificantWhitespace();

  @Parameters(
      index = "0",
      paramLabel = "HOOK",
      description = "An RPC (pre_add_node, ...) or an operation (add_node, ...).")
  String hookName;

  @Parameters(
      index = "1",
      paramLabel = "JSON",
      defaultValue = "{}",
      description = "The request in proto JSON. Default: {}.")
  String json;

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      defaultValue = "localhost:50051",
      description = "The relay's gRPC address.")
  String target;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description = "Deadline of each call.")
  Duration timeout;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = {
        "Connect with TLS, trusting these PEM CA certificates.",
        "Default: plaintext."
      })
  Path tlsCa;

  @Option(
      names = {"--tls-client-cert", "--tls-cert"},
      paramLabel = "FILE",
      description = {
        "Client certificate (PEM) for a relay that requires mutual TLS; needs --tls-client-key.",
        "The relay's CCX_HOOK_TLS_CERT is not read."
      })
  Path tlsCert;

  @Option(
      names = {"--tls-client-key", "--tls-key"},
      paramLabel = "FILE",
      description = {
        "The PKCS#8 PEM private key of --tls-client-cert.",
        "The relay's CCX_HOOK_TLS_KEY is not read."
      })
  Path tlsKey;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = {
        "Bearer token sent as gRPC metadata 'authorization: Bearer TOKEN'.",
        "Default: the first token of CCX_HOOK_CLIENT_TOKEN, if set."
      })
  String token;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Logging.quiet();
    String name = hookName.toLowerCase(Locale.ROOT).replace('-', '_');
    boolean operation = OPERATIONS.contains(name);
    Hook first =
        operation
            ? Hook.fromSnakeName("pre_" + name).orElseThrow()
            : Hook.fromSnakeName(name)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "HOOK: '"
                                + hookName
                                + "' is neither an RPC (pre_add_node, post_add_node, ...) nor an operation ("
                                + String.join(", ", OPERATIONS)
                                + ")"));
    refuseFieldsOfNeither(first, operation ? first.post() : first);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManagedChannel channel = Grpc.newChannelBuilder(target, credentials()).build();
    try {
      Message response = call(channel, first, request(first, operation));
      out.println(first.rpcName() + " " + COMPACT.print(response));
      if (!approved(response)) {
        return ExitCodes.NOT_APPROVED;
      }
      if (operation) {
        Message.Builder post = request(first.post(), true);
        FieldDescriptor workId = post.getDescriptorForType().findFieldByName("work_id");
        post.setField(
            workId, response.getField(response.getDescriptorForType().findFieldByName("work_id")));
        Message postResponse = call(channel, first.post(), post);
        out.println(first.post().rpcName() + " " + COMPACT.print(postResponse));
      }
      return ExitCodes.OK;
    } catch (StatusRuntimeException e) {
      err.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return ExitCodes.FAILURE;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the response", e);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ChannelCredentials credentials() {
    if (tlsCa == null && tlsCert == null && tlsKey == null) {
      return InsecureChannelCredentials.create();
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-client-cert and --tls-client-key go together");
    }
    try {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (tlsCa != null) {
        tls.trustManager(tlsCa.toFile());
      }
      if (tlsCert != null) {
        tls.keyManager(tlsCert.toFile(), tlsKey.toFile());
      }
      return tls.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--tls-ca, --tls-client-cert or --tls-client-key: cannot load (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads the JSON strictly (one object, nothing after it) and refuses a field that neither request
   * has. An operation's two requests each ignore the fields only the other has (authId, nodeIds),
   * so a misspelt field would otherwise be sent as its default: nodeCountt as a node_count of 0.
   */
  private void refuseFieldsOfNeither(Hook pre, Hook post) {
    List<Descriptor> requests =
        List.of(
            HookRpcs.newRequest(pre).getDescriptorForType(),
            HookRpcs.newRequest(post).getDescriptorForType());
    List<String> distinct = requests.stream().map(Descriptor::getName).distinct().toList();
    String names = String.join(" or ", distinct);
    JsonElement parsed;
    try {
      parsed = HookJson.readStrictly(json);
    } catch (JsonParseException e) {
      // Gson's own words run to two lines of advice; where it stopped is what helps.
      Matcher where =
          Pattern.compile("line \\d+ column \\d+").matcher(String.valueOf(e.getMessage()));
      throw new IllegalArgumentException(
          "JSON: not a "
              + names
              + " (one JSON object, nothing after it)"
              + (where.find() ? ": malformed at " + where.group() : ""));
    }
    if (!parsed.isJsonObject()) {
      throw new IllegalArgumentException("JSON: not a " + names + " (a JSON object)");
    }
    for (String name : parsed.getAsJsonObject().keySet()) {
      boolean known =
          requests.stream()
              .flatMap(d -> d.getFields().stream())
              .anyMatch(f -> f.getName().equals(name) || f.getJsonName().equals(name));
      if (!known) {
        String which =
            distinct.size() == 1 ? "no " + names : "neither " + String.join(" nor ", distinct);
        throw new IllegalArgumentException("JSON: '" + name + "' is a field of " + which);
      }
    }
  }

  /**
   * Parses JSON into the hook's request. For an operation the same JSON feeds both calls, so fields
   * that only one of them has (authId, nodeIds) are ignored by the other.
   */
  private Message.Builder request(Hook hook, boolean lenient) {
    Message.Builder builder = HookRpcs.newRequest(hook);
    JsonFormat.Parser parser =
        lenient ? JsonFormat.parser().ignoringUnknownFields() : JsonFormat.parser();
    try {
      parser.merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "JSON: not a " + builder.getDescriptorForType().getName() + ": " + e.getMessage());
    }
    return builder;
  }

  private Message call(ManagedChannel channel, Hook hook, Message.Builder request) {
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (token != null && !token.isBlank()) {
      options = options.withCallCredentials(new BearerToken(token.trim()));
    }
    return ClientCalls.blockingUnaryCall(channel, HookRpcs.method(hook), options, request.build());
  }

  /** True unless the response has an {@code approved} field that is false. */
  private static boolean approved(Message response) {
    FieldDescriptor approved = response.getDescriptorForType().findFieldByName("approved");
    return approved == null || (Boolean) response.getField(approved);
  }
}
