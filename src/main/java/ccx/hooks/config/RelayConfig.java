package ccx.hooks.config;

import ccx.hooks.core.ConfigException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Everything {@code serve} runs with. Built by the command line from options and their {@code
 * CCX_HOOK_*} variables, validated here with the offending option named.
 *
 * @param grpcPort {@code --grpc-port} (50051); 0 picks a free port
 * @param adminPort {@code --admin-port} (9090); 0 picks a free port
 * @param databasePoolSize {@code --database-pool-size}: connections this relay may hold
 * @param tls TLS (and mutual TLS) for the gRPC server; plaintext when empty
 * @param grpcHost {@code --grpc-host}: the interface gRPC listens on; every interface when empty
 * @param adminHost {@code --admin-host}: the interface admin HTTP listens on; every interface when
 *     empty (Kubernetes probes and Prometheus reach the pod's address)
 * @param callers who may call the hook RPCs
 * @param limits what the gRPC server takes on at once
 */
public record RelayConfig(
    HookTarget target,
    DatabaseUrl database,
    int grpcPort,
    int adminPort,
    PreHookSettings preHooks,
    DeliverySettings delivery,
    int databasePoolSize,
    Optional<TlsSettings> tls,
    Optional<InetAddress> grpcHost,
    Optional<InetAddress> adminHost,
    CallerAuth callers,
    GrpcLimits limits) {

  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_ADMIN_PORT = 9090;

  public RelayConfig {
    if (target == null) {
      throw new ConfigException("--hook-url is required");
    }
    if (database == null) {
      throw new ConfigException("--database-url is required");
    }
    Validate.port("--grpc-port", grpcPort);
    Validate.port("--admin-port", adminPort);
    Validate.atLeast("--database-pool-size", databasePoolSize, 2);
    if (tls == null) {
      tls = Optional.empty();
    }
    if (callers.checksClientNames() && tls.flatMap(TlsSettings::clientCa).isEmpty()) {
      throw new ConfigException(
          "--tls-client-names needs mutual TLS: --tls-cert, --tls-key and --tls-client-ca");
    }
    if (!callers.authenticates() && !callers.allowUnauthenticated()) {
      throw new ConfigException(
          "no caller authentication: set --client-token (CCX_HOOK_CLIENT_TOKEN, e.g. $(openssl rand"
              + " -hex 32)) or mutual TLS with --tls-client-ca and --tls-client-names, or pass"
              + " --allow-unauthenticated to let anyone who reaches the gRPC port call the hooks");
    }
  }

  /** Where gRPC listens. */
  public InetSocketAddress grpcAddress() {
    return grpcHost
        .map(h -> new InetSocketAddress(h, grpcPort))
        .orElse(new InetSocketAddress(grpcPort));
  }

  /** Where admin HTTP listens. */
  public InetSocketAddress adminAddress() {
    return adminHost
        .map(h -> new InetSocketAddress(h, adminPort))
        .orElse(new InetSocketAddress(adminPort));
  }

  /**
   * Reads {@code --grpc-host} or {@code --admin-host}: a name or address; empty (every interface)
   * when not given.
   */
  public static Optional<InetAddress> host(String option, String host) {
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host.trim()));
    } catch (UnknownHostException e) {
      throw new ConfigException(option + ": '" + host.trim() + "' is not an address of this host");
    }
  }
}
