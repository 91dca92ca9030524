package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.TlsSettings;
import ccx.hooks.testing.OutboxDatabase;
import ccx.hooks.v1.HookServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --tls-client-names} on a real port with mutual TLS: the test client certificate ({@code
 * CN=ccx-control-plane}, DNS SAN localhost, signed by the test CA) passes when one of its names is
 * on the list, and is refused {@code PERMISSION_DENIED} when none is, although the right CA signed
 * it.
 */
class ClientNamesTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  private static MockWebServer integrator;
  private DoorServer door;

  static Path tls(String name) {
    try {
      return Path.of(ClientNamesTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void startIntegrator() throws Exception {
    integrator = new MockWebServer();
    integrator.start();
  }

  @AfterAll
  static void stopIntegrator() {
    integrator.close();
  }

  @AfterEach
  void stop() {
    if (door != null) {
      door.close();
    }
  }

  private void start(String names) {
    TlsSettings settings =
        new TlsSettings(tls("server.pem"), tls("server.key"), Optional.of(tls("ca.pem")));
    door =
        new DoorServer(
            database.database(),
            integrator.url("/"),
            GrpcServer.credentials(Optional.of(settings)),
            CallerAuth.of(null, names, false),
            GrpcLimits.defaults());
  }

  private static ChannelCredentials clientCertificate() throws Exception {
    return TlsChannelCredentials.newBuilder()
        .trustManager(tls("ca.pem").toFile())
        .keyManager(tls("client.pem").toFile(), tls("client.key").toFile())
        .build();
  }

  private void postAddNode(String workId) throws Exception {
    PostRpc.POST_ADD_NODE.call(
        HookServiceGrpc.newBlockingStub(door.channel(clientCertificate(), null))
            .withDeadlineAfter(10, TimeUnit.SECONDS),
        workId);
  }

  @Test
  void a_certificate_whose_common_name_is_listed_may_call() throws Exception {
    start("billing-service, ccx-control-plane");
    postAddNode("w-by-cn");
    assertThat(OutboxTable.rows(database)).extracting(OutboxTable.Row::workId).contains("w-by-cn");
  }

  @Test
  void a_certificate_whose_dns_name_is_listed_may_call() throws Exception {
    start("LOCALHOST");
    postAddNode("w-by-dns");
    assertThat(OutboxTable.rows(database)).extracting(OutboxTable.Row::workId).contains("w-by-dns");
  }

  @Test
  void a_certificate_from_the_right_ca_with_no_listed_name_is_permission_denied() throws Exception {
    start("billing-service");

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> postAddNode("w-denied"));

    assertThat(e).as("the RPC's error").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .contains("ccx-control-plane")
        .contains("not in --tls-client-names");
    assertThat(OutboxTable.rows(database)).isEmpty();
    // Health stays open to that client, as to any.
    assertThat(
            HealthGrpc.newBlockingStub(door.channel(clientCertificate(), null))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }
}
