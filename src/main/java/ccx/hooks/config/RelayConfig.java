package ccx.hooks.config;

import ccx.hooks.ConfigException;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookTarget;
import java.util.Optional;

/**
 * Everything {@code serve} runs with. Built by the command line from options and their {@code
 * CCX_HOOK_*} variables, validated here with the offending option named.
 *
 * @param grpcPort {@code --grpc-port} (50051); 0 picks a free port
 * @param adminPort {@code --admin-port} (9090); 0 picks a free port
 * @param databasePoolSize {@code --database-pool-size}: connections this relay may hold
 * @param tls TLS (and mutual TLS) for the gRPC server; plaintext when empty
 */
public record RelayConfig(
    HookTarget target,
    DatabaseUrl database,
    int grpcPort,
    int adminPort,
    PreHookSettings preHooks,
    DeliverySettings delivery,
    int databasePoolSize,
    Optional<TlsSettings> tls) {

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
  }
}
