package ccx.hooks.cli;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.Ordering;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.config.TlsSettings;
import ccx.hooks.db.Database;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookTarget;
import ccx.hooks.wire.WebhookSigner;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import okhttp3.HttpUrl;
import picocli.CommandLine.Option;

/**
 * The options that tune a running relay, shared by {@code serve} and {@code local-server}, and
 * {@link #toConfig} that maps them onto {@link RelayConfig}. Each default is a constant of the
 * config record the option fills (only the log format's is written here); {@link OptionHelp} ends
 * each option's help with its variable and that default.
 *
 * <p>Over 250 lines (about 270) on purpose: 25 options, each declared with its help where picocli
 * reads it. Split by config record, serve's options would be spread over six files and the mapping
 * over as many; here one file is the whole list that the README's configuration table mirrors.
 */
final class RelayOptions {
  @Option(
      names = "--grpc-port",
      paramLabel = "PORT",
      defaultValue = "" + RelayConfig.DEFAULT_GRPC_PORT,
      description = "Port of the gRPC server (0 picks a free one).")
  int grpcPort;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "" + RelayConfig.DEFAULT_ADMIN_PORT,
      description = "Port of /healthz, /readyz and /metrics (0 picks a free one).")
  int adminPort;

  @Option(
      names = "--database-pool-size",
      paramLabel = "N",
      defaultValue = "" + Database.DEFAULT_POOL_SIZE,
      description = "Database connections this relay may hold.")
  int databasePoolSize;

  @Option(
      names = "--pre-hook-timeout",
      paramLabel = "DURATION",
      defaultValue = PreHookSettings.TIMEOUT_TEXT,
      description =
          "Longest wait for the integrator's answer to a pre-hook; shortened to the caller's gRPC deadline.")
  Duration preHookTimeout;

  @Option(
      names = "--pre-hook-failure",
      paramLabel = "POLICY",
      defaultValue = PreHookSettings.FAILURE_POLICY_TEXT,
      description =
          "What create-cluster and add-node answer when the integrator gives no usable answer:"
              + " error (gRPC UNAVAILABLE), reject (approved=false) or approve.")
  FailurePolicy preHookFailure;

  @Option(
      names = "--delivery-timeout",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.DELIVERY_TIMEOUT_TEXT,
      description = "Longest wait for the integrator's answer to one delivery attempt.")
  Duration deliveryTimeout;

  @Option(
      names = "--drain-concurrency",
      paramLabel = "N",
      defaultValue = "" + DeliverySettings.DEFAULT_DRAIN_CONCURRENCY,
      description = "Deliveries in flight at once, per relay.")
  int drainConcurrency;

  @Option(
      names = "--retry-initial",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETRY_INITIAL_TEXT,
      description = "Wait after the first failed attempt; doubles with each attempt, with jitter.")
  Duration retryInitial;

  @Option(
      names = "--retry-max",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETRY_MAX_TEXT,
      description = "Longest wait between two attempts.")
  Duration retryMax;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "" + DeliverySettings.DEFAULT_MAX_ATTEMPTS,
      description = "Attempts after which a hook is marked failed (until replayed).")
  int maxAttempts;

  @Option(
      names = "--max-age",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.MAX_AGE_TEXT,
      description = "Age after which a hook that fails again is marked failed.")
  Duration maxAge;

  @Option(
      names = "--ordering",
      paramLabel = "MODE",
      defaultValue = DeliverySettings.ORDERING_TEXT,
      description =
          "cluster: each cluster's hooks are delivered in the order stored; none: no ordering.")
  Ordering ordering;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETENTION_TEXT,
      description = "How long delivered hooks are kept; failed hooks are kept until replayed.")
  Duration retention;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.POLL_INTERVAL_TEXT,
      description = "How often the outbox is read without a notification.")
  Duration pollInterval;

  @Option(
      names = "--signing-secret",
      paramLabel = "SECRETS",
      description = {
        "Standard Webhooks signing secrets (whsec_...), several separated by spaces for rotation; each signs every hook.",
        "Default: none (no webhook-signature header)."
      })
  String signingSecret;

  @Option(
      names = "--hook-token",
      paramLabel = "TOKEN",
      description = {"Sent to the integrator as Authorization: Bearer TOKEN.", "Default: none."})
  String hookToken;

  @Option(
      names = "--hook-ca",
      paramLabel = "FILE",
      description = {
        "PEM CA certificates that an https:// integrator must be signed by, instead of the system trust store.",
        "Default: the system trust store."
      })
  Path hookCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = {
        "Serve gRPC over TLS with this PEM certificate chain (needs --tls-key).",
        "Default: plaintext."
      })
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The PKCS#8 PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description = {
        "Mutual TLS: require a client certificate signed by one of these PEM CAs (needs --tls-cert).",
        "Default: no client certificate required."
      })
  Path tlsClientCa;

  @Option(
      names = "--client-token",
      paramLabel = "TOKENS",
      description = {
        "Bearer tokens a caller must send as gRPC metadata 'authorization: Bearer TOKEN';"
            + " several separated by spaces while one is rotated. At least 16 characters each.",
        "Default: none."
      })
  String clientToken;

  @Option(
      names = "--tls-client-names",
      paramLabel = "NAMES",
      description = {
        "Mutual TLS: a client certificate must also carry one of these names (DNS SAN or CN),"
            + " comma-separated; needs --tls-client-ca.",
        "Default: none."
      })
  String tlsClientNames;

  @Option(
      names = "--max-request-bytes",
      paramLabel = "BYTES",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_REQUEST_BYTES,
      description = {
        "Largest gRPC request accepted; larger ones are refused (RESOURCE_EXHAUSTED).",
        "Default: ${DEFAULT-VALUE} (1 MiB)."
      })
  int maxRequestBytes;

  @Option(
      names = "--max-concurrent-calls",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONCURRENT_CALLS,
      description =
          "Hook calls in flight at once; beyond it calls are refused (RESOURCE_EXHAUSTED), not queued.")
  int maxConcurrentCalls;

  @Option(
      names = "--max-pre-hooks-in-flight",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_PRE_HOOKS_IN_FLIGHT,
      description =
          "Pre-hook calls (each an open request to the integrator) in flight at once, at most"
              + " three quarters of them for one pre-hook, so that a hung endpoint leaves room for"
              + " the others; beyond it they are refused (RESOURCE_EXHAUSTED).")
  int maxPreHooksInFlight;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, or json for one JSON object per line.")
  Logging.Format logFormat;

  /**
   * @param grpcHost where gRPC listens; every interface when empty
   * @param adminHost where admin HTTP listens; every interface when empty
   * @param allowUnauthenticated whether a relay without caller authentication may start
   */
  RelayConfig toConfig(
      HttpUrl hookUrl,
      DatabaseUrl database,
      Optional<InetAddress> grpcHost,
      Optional<InetAddress> adminHost,
      boolean allowUnauthenticated) {
    WebhookSigner signer =
        signingSecret == null || signingSecret.isBlank()
            ? WebhookSigner.none()
            : WebhookSigner.fromSecrets(signingSecret);
    HookTarget target =
        new HookTarget(
            hookUrl, Optional.ofNullable(hookToken), signer, Optional.ofNullable(hookCa));
    return new RelayConfig(
        target,
        database,
        grpcPort,
        adminPort,
        new PreHookSettings(preHookTimeout, preHookFailure),
        new DeliverySettings(
            deliveryTimeout,
            drainConcurrency,
            retryInitial,
            retryMax,
            maxAttempts,
            maxAge,
            ordering,
            retention,
            pollInterval),
        databasePoolSize,
        TlsSettings.of(tlsCert, tlsKey, tlsClientCa),
        grpcHost,
        adminHost,
        CallerAuth.of(clientToken, tlsClientNames, allowUnauthenticated),
        new GrpcLimits(maxRequestBytes, maxConcurrentCalls, maxPreHooksInFlight));
  }
}
