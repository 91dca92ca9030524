package ccx.hooks.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.breaker.CallKind;
import ccx.hooks.core.Hook;
import ccx.hooks.wire.HookCallException;
import ccx.hooks.wire.HookHttpClient;
import ccx.hooks.wire.HookResponse;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An https:// integrator is verified: against --hook-ca when given, else the system trust store.
 */
class HttpsHookTest {
  private final MockWebServer integrator = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    integrator.useHttps(serverContext().getSocketFactory());
    integrator.start();
  }

  @AfterEach
  void stop() {
    integrator.close();
  }

  private static SSLContext serverContext() throws Exception {
    String pem = Files.readString(TlsTest.tls("server.key"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Certificate certificate;
    try (var in = Files.newInputStream(TlsTest.tls("server.pem"))) {
      certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, new char[0], new Certificate[] {certificate});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  /** Sends one delivery through a client that trusts {@code ca}, or the system's store. */
  private HookResponse sendTrusting(Optional<Path> ca) {
    return HookHttpClient.create(
            new HookTarget(integrator.url("/hooks"), Optional.empty(), WebhookSigner.none(), ca))
        .send(CallKind.DELIVERY, Hook.POST_ADD_NODE, "msg_1", "{}", Duration.ofSeconds(5));
  }

  @Test
  void an_integrator_signed_by_the_hook_ca_is_trusted() {
    integrator.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    assertThat(sendTrusting(Optional.of(TlsTest.tls("ca.pem"))).status()).isEqualTo(200);
  }

  @Test
  void an_integrator_the_system_trust_store_does_not_know_is_a_tls_error() {
    assertThatThrownBy(() -> sendTrusting(Optional.empty()))
        .isInstanceOfSatisfying(
            HookCallException.class,
            e -> assertThat(e.reason()).isEqualTo(HookCallException.Reason.CONNECTION))
        .hasMessageStartingWith("TLS error");
  }

  @Test
  void an_integrator_signed_by_another_ca_is_a_tls_error() {
    assertThatThrownBy(() -> sendTrusting(Optional.of(TlsTest.tls("other-ca.pem"))))
        .isInstanceOf(HookCallException.class)
        .hasMessageStartingWith("TLS error");
  }
}
