package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.CallerAuth;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the relay warns of, at start, about who can reach its gRPC port and read what. */
class GrpcExposureTest {
  private static final CallerAuth TOKENS =
      CallerAuth.of("exposure-token-5f3e9a1c2b7d", null, false);
  private static final InetSocketAddress EVERY_INTERFACE = new InetSocketAddress(50051);
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 50051);

  private static ServerCredentials tls() throws IOException {
    // Read only when a server starts with them: the bytes need not be a certificate here.
    return TlsServerCredentials.create(
        new ByteArrayInputStream("certificate".getBytes(StandardCharsets.UTF_8)),
        new ByteArrayInputStream("key".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void tokens_over_plaintext_on_every_interface_are_warned_of() {
    assertThat(
            GrpcServer.exposureWarnings(
                EVERY_INTERFACE, InsecureServerCredentials.create(), TOKENS, 50051))
        .singleElement()
        .asString()
        .contains("port 50051 is plaintext", "bearer tokens", "TLS");
  }

  @Test
  void tokens_over_tls_or_on_loopback_are_not() throws IOException {
    assertThat(GrpcServer.exposureWarnings(EVERY_INTERFACE, tls(), TOKENS, 50051)).isEmpty();
    assertThat(
            GrpcServer.exposureWarnings(
                LOOPBACK, InsecureServerCredentials.create(), TOKENS, 50051))
        .isEmpty();
  }

  @Test
  void unauthenticated_callers_on_every_interface_are_warned_of() throws IOException {
    CallerAuth anyone = CallerAuth.of(null, null, true);

    assertThat(GrpcServer.exposureWarnings(EVERY_INTERFACE, tls(), anyone, 50051))
        .singleElement()
        .asString()
        .contains("not authenticated", "port 50051");
  }
}
