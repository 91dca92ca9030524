package ccx.hooks.grpc;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns grpc-netty's "TLS negotiation failed" records, logged at FINE through java.util.logging and
 * so invisible by default, into one clear warning per refused connection. grpc-netty does not hand
 * the handshake's cause to its log, so the warning names the usual ones.
 */
final class TlsFailureLog extends Handler {
  /** Where grpc-netty logs failed TLS handshakes (through java.util.logging). */
  static final String GRPC_NEGOTIATION_LOGGER =
      "io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators";

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(GrpcServer.class);
  // Held strongly: java.util.logging keeps loggers weakly, and with them their configuration.
  private static final Logger grpcLogger = Logger.getLogger(GRPC_NEGOTIATION_LOGGER);

  private final String causes;

  private TlsFailureLog(String causes) {
    this.causes = causes;
  }

  static synchronized void install(boolean mutualTls) {
    for (Handler handler : grpcLogger.getHandlers()) {
      if (handler instanceof TlsFailureLog) {
        grpcLogger.removeHandler(handler);
      }
    }
    grpcLogger.setUseParentHandlers(false);
    grpcLogger.setLevel(Level.FINE);
    grpcLogger.addHandler(
        new TlsFailureLog(
            mutualTls
                ? "a plaintext client, a client without a certificate, or one not signed by --tls-client-ca"
                : "a plaintext client, or one that does not trust --tls-cert"));
  }

  @Override
  public void publish(LogRecord record) {
    String message = record.getMessage();
    if (message != null && message.startsWith("TLS negotiation failed")) {
      log.warn("Refused a gRPC connection: TLS handshake failed ({})", causes);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
