package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the gRPC server.
 *
 * @param certificate {@code --tls-cert}: the server's certificate chain, PEM
 * @param privateKey {@code --tls-key}: its private key, PKCS#8 PEM
 * @param clientCa {@code --tls-client-ca}: when set, clients must present a certificate signed by
 *     one of these CAs (mutual TLS)
 */
public record TlsSettings(Path certificate, Path privateKey, Optional<Path> clientCa) {
  public TlsSettings {
    readable("--tls-cert", certificate);
    readable("--tls-key", privateKey);
    clientCa.ifPresent(ca -> readable("--tls-client-ca", ca));
  }

  /**
   * The settings given on the command line: none without {@code --tls-cert}; {@code --tls-key} and
   * {@code --tls-client-ca} need it.
   */
  public static Optional<TlsSettings> of(Path certificate, Path privateKey, Path clientCa) {
    if (certificate == null && privateKey == null && clientCa == null) {
      return Optional.empty();
    }
    if (certificate == null || privateKey == null) {
      throw new ConfigException(
          "--tls-cert and --tls-key go together"
              + (clientCa != null ? ", and --tls-client-ca needs both" : "")
              + " (got "
              + (certificate == null ? "no --tls-cert" : "no --tls-key")
              + ")");
    }
    return Optional.of(new TlsSettings(certificate, privateKey, Optional.ofNullable(clientCa)));
  }

  static void readable(String option, Path file) {
    if (file == null || !Files.isReadable(file)) {
      throw new ConfigException(option + ": cannot read " + file);
    }
  }
}
