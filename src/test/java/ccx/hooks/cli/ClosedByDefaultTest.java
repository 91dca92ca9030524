package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.app.Relay;
import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.mockhooks.MockHooksOptions;
import ccx.hooks.mockhooks.MockHooksServer;
import ccx.hooks.testing.CommandResult;
import ccx.hooks.testing.TestDatabase;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The door as an operator meets it on the command line: {@code serve} refuses to start without
 * caller authentication, and {@code test-client} finds its token where the relay's is configured.
 */
class ClosedByDefaultTest {
  static final String OLD = "first-token-0a1b2c3d4e5f";
  static final String NEW = "second-token-6a7b8c9d0e1f";
  static final String CALL = "{\"clusterId\":\"1\",\"nodeCount\":1,\"workId\":\"w-cli\"}";

  private static MockHooksServer integrator;
  private static Relay relay;

  @BeforeAll
  static void start() {
    integrator = MockHooksServer.start(MockHooksOptions.quiet(0));
    InetAddress loopback = InetAddress.getLoopbackAddress();
    relay =
        Relay.start(
            new RelayConfig(
                new HookTarget(
                    HttpUrl.get(integrator.url()), Optional.empty(), WebhookSigner.none()),
                TestDatabase.createDatabase(),
                0,
                0,
                PreHookSettings.defaults(),
                DeliverySettings.defaults(),
                4,
                Optional.empty(),
                Optional.of(loopback),
                Optional.of(loopback),
                CallerAuth.of(OLD + " " + NEW, null, false),
                GrpcLimits.defaults()));
  }

  @AfterAll
  static void stop() {
    relay.close();
    integrator.close();
  }

  private static CommandResult testClient(Map<String, String> environment, String... options) {
    String[] args = new String[options.length + 5];
    args[0] = "test-client";
    args[1] = "--target";
    args[2] = "localhost:" + relay.grpcPort();
    System.arraycopy(options, 0, args, 3, options.length);
    args[args.length - 2] = "post_add_node";
    args[args.length - 1] = CALL;
    return CommandLineTest.run(environment, args);
  }

  /** {@code serve} with a hook URL and a database URL, and whatever else a test adds. */
  private static CommandResult serve(Map<String, String> environment, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--hook-url",
                "http://integrator:8080",
                "--database-url",
                "postgres://u@h/db"));
    args.addAll(List.of(more));
    return CommandLineTest.run(environment, args.toArray(String[]::new));
  }

  @Test
  void serve_without_caller_authentication_exits_64_saying_how_to_configure_it() {
    assertThat(serve(Map.of()).usageError())
        .startsWith("ccx-hook-service serve: no caller authentication")
        .contains("--client-token", "--tls-client-names", "--allow-unauthenticated");
  }

  @Test
  void serve_with_a_short_token_exits_64_without_showing_it() {
    assertThat(serve(Map.of("CCX_HOOK_CLIENT_TOKEN", NEW + " short-secret")).usageError())
        .contains("--client-token: token #2 has 12 characters")
        .doesNotContain("short-secret");
  }

  @Test
  void serve_with_client_names_but_no_client_ca_exits_64_naming_what_is_missing() {
    assertThat(serve(Map.of(), "--tls-client-names", "ccx-control-plane").usageError())
        .contains("--tls-client-ca");
  }

  @Test
  void serve_with_a_grpc_host_that_does_not_resolve_exits_64_naming_it() {
    CommandResult result =
        serve(Map.of("CCX_HOOK_CLIENT_TOKEN", NEW), "--grpc-host", "no-such-host.invalid");

    assertThat(result.usageError()).contains("--grpc-host");
  }

  @Test
  void test_client_without_a_token_is_refused_unauthenticated() {
    CommandResult result = testClient(Map.of());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("UNAUTHENTICATED: no authorization metadata");
  }

  @Test
  void test_client_sends_the_first_token_of_the_relays_variable_by_default() {
    CommandResult result = testClient(Map.of("CCX_HOOK_CLIENT_TOKEN", OLD + " " + NEW));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("PostAddNode {}");
  }

  @Test
  void test_client_token_option_wins_over_the_relays_variable() {
    CommandResult result =
        testClient(Map.of("CCX_HOOK_CLIENT_TOKEN", "not-a-token-of-this-relay"), "--token", NEW);

    assertThat(result.exitCode()).as(result.err()).isZero();
  }

  @Test
  void test_client_does_not_take_the_relays_tls_key_pair_as_its_own_certificate() {
    // A relay's environment sets CCX_HOOK_TLS_CERT and CCX_HOOK_TLS_KEY for the server; a
    // test-client run there must not present them (nor fail to load them) as a client certificate.
    CommandResult result =
        testClient(
            Map.of(
                "CCX_HOOK_CLIENT_TOKEN",
                NEW,
                "CCX_HOOK_TLS_CERT",
                "/nonexistent/server.pem",
                "CCX_HOOK_TLS_KEY",
                "/nonexistent/server.key"));

    assertThat(result.exitCode()).as(result.err()).isZero();
  }
}
