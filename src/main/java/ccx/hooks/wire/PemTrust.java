package ccx.hooks.wire;

import ccx.hooks.core.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/** Trusts the CA certificates of a PEM file, for an integrator whose certificate is private. */
final class PemTrust {
  private PemTrust() {}

  static OkHttpClient.Builder trustOnly(OkHttpClient.Builder builder, Path pemFile) {
    X509TrustManager trust = trustManager(pemFile);
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      return builder.sslSocketFactory(context.getSocketFactory(), trust);
    } catch (GeneralSecurityException e) {
      throw new ConfigException("--hook-ca: cannot set up TLS: " + e.getMessage());
    }
  }

  static X509TrustManager trustManager(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new ConfigException("--hook-ca: no certificate in " + pemFile);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new ConfigException("--hook-ca: no X.509 trust manager available");
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "--hook-ca: cannot read CA certificates from " + pemFile + ": " + e.getMessage());
    }
  }
}
