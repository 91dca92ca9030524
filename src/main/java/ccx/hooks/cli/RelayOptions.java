package ccx.hooks.cli;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.FailurePolicy;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.Ordering;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.config.TlsSettings;
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
 * The options that tune a running relay, shared by {@code serve} and {@code local-server}. About
 * 300 lines because each of its twenty-odd options carries its help text and environment variable
 * where picocli wants them; splitting them would scatter one command's options over files.
 */
final class RelayOptions {
  @Option(
      names = "--grpc-port",
      paramLabel = "PORT",
      defaultValue = "" + RelayConfig.DEFAULT_GRPC_PORT,
      description = {
        "Port of the gRPC server (0 picks a free one).",
        "Env: CCX_HOOK_GRPC_PORT. Default: ${DEFAULT-VALUE}."
      })
  int grpcPort;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "" + RelayConfig.DEFAULT_ADMIN_PORT,
      description = {
        "Port of /healthz, /readyz and /metrics (0 picks a free one).",
        "Env: CCX_HOOK_ADMIN_PORT. Default: ${DEFAULT-VALUE}."
      })
  int adminPort;

  @Option(
      names = "--pre-hook-timeout",
      paramLabel = "DURATION",
      defaultValue = PreHookSettings.TIMEOUT_TEXT,
      description = {
        "Longest wait for the integrator's answer to a pre-hook; shortened to the caller's gRPC deadline.",
        "Env: CCX_HOOK_PRE_HOOK_TIMEOUT. Default: ${DEFAULT-VALUE}."
      })
  Duration preHookTimeout;

  @Option(
      names = "--pre-hook-failure",
      paramLabel = "POLICY",
      defaultValue = PreHookSettings.FAILURE_POLICY_TEXT,
      description = {
        "What create-cluster and add-node answer when the integrator gives no usable answer:"
            + " error (gRPC UNAVAILABLE), reject (approved=false) or approve.",
        "Env: CCX_HOOK_PRE_HOOK_FAILURE. Default: ${DEFAULT-VALUE}."
      })
  FailurePolicy preHookFailure;

  @Option(
      names = "--delivery-timeout",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.DELIVERY_TIMEOUT_TEXT,
      description = {
        "Longest wait for the integrator's answer to one delivery attempt.",
        "Env: CCX_HOOK_DELIVERY_TIMEOUT. Default: ${DEFAULT-VALUE}."
      })
  Duration deliveryTimeout;

  @Option(
      names = "--drain-concurrency",
      paramLabel = "N",
      defaultValue = "" + DeliverySettings.DEFAULT_DRAIN_CONCURRENCY,
      description = {
        "Deliveries in flight at once, per relay.",
        "Env: CCX_HOOK_DRAIN_CONCURRENCY. Default: ${DEFAULT-VALUE}."
      })
  int drainConcurrency;

  @Option(
      names = "--retry-initial",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETRY_INITIAL_TEXT,
      description = {
        "Wait after the first failed attempt; doubles with each attempt, with jitter.",
        "Env: CCX_HOOK_RETRY_INITIAL. Default: ${DEFAULT-VALUE}."
      })
  Duration retryInitial;

  @Option(
      names = "--retry-max",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETRY_MAX_TEXT,
      description = {
        "Longest wait between two attempts.",
        "Env: CCX_HOOK_RETRY_MAX. Default: ${DEFAULT-VALUE}."
      })
  Duration retryMax;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "" + DeliverySettings.DEFAULT_MAX_ATTEMPTS,
      description = {
        "Attempts after which a hook is marked failed (until replayed).",
        "Env: CCX_HOOK_MAX_ATTEMPTS. Default: ${DEFAULT-VALUE}."
      })
  int maxAttempts;

  @Option(
      names = "--max-age",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.MAX_AGE_TEXT,
      description = {
        "Age after which a hook that fails again is marked failed.",
        "Env: CCX_HOOK_MAX_AGE. Default: ${DEFAULT-VALUE}."
      })
  Duration maxAge;

  @Option(
      names = "--ordering",
      paramLabel = "MODE",
      defaultValue = DeliverySettings.ORDERING_TEXT,
      description = {
        "cluster: each cluster's hooks are delivered in the order stored; none: no ordering.",
        "Env: CCX_HOOK_ORDERING. Default: ${DEFAULT-VALUE}."
      })
  Ordering ordering;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.RETENTION_TEXT,
      description = {
        "How long delivered hooks are kept; failed hooks are kept until replayed.",
        "Env: CCX_HOOK_RETENTION. Default: ${DEFAULT-VALUE}."
      })
  Duration retention;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      defaultValue = DeliverySettings.POLL_INTERVAL_TEXT,
      description = {
        "How often the outbox is read without a notification.",
        "Env: CCX_HOOK_POLL_INTERVAL. Default: ${DEFAULT-VALUE}."
      })
  Duration pollInterval;

  @Option(
      names = "--signing-secret",
      paramLabel = "SECRETS",
      description = {
        "Standard Webhooks signing secrets (whsec_...), several separated by spaces for rotation; each signs every hook.",
        "Env: CCX_HOOK_SIGNING_SECRET. Default: none (no webhook-signature header)."
      })
  String signingSecret;

  @Option(
      names = "--hook-token",
      paramLabel = "TOKEN",
      description = {
        "Sent to the integrator as Authorization: Bearer TOKEN.",
        "Env: CCX_HOOK_HOOK_TOKEN. Default: none."
      })
  String hookToken;

  @Option(
      names = "--hook-ca",
      paramLabel = "FILE",
      description = {
        "PEM CA certificates that an https:// integrator must be signed by, instead of the system trust store.",
        "Env: CCX_HOOK_HOOK_CA. Default: the system trust store."
      })
  Path hookCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = {
        "Serve gRPC over TLS with this PEM certificate chain (needs --tls-key).",
        "Env: CCX_HOOK_TLS_CERT. Default: plaintext."
      })
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = {"The PKCS#8 PEM private key of --tls-cert.", "Env: CCX_HOOK_TLS_KEY."})
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description = {
        "Mutual TLS: require a client certificate signed by one of these PEM CAs (needs --tls-cert).",
        "Env: CCX_HOOK_TLS_CLIENT_CA. Default: no client certificate required."
      })
  Path tlsClientCa;

  @Option(
      names = "--client-token",
      paramLabel = "TOKENS",
      description = {
        "Bearer tokens a caller must send as gRPC metadata 'authorization: Bearer TOKEN';"
            + " several separated by spaces while one is rotated. At least 16 characters each.",
        "Env: CCX_HOOK_CLIENT_TOKEN. Default: none."
      })
  String clientToken;

  @Option(
      names = "--tls-client-names",
      paramLabel = "NAMES",
      description = {
        "Mutual TLS: a client certificate must also carry one of these names (DNS SAN or CN),"
            + " comma-separated; needs --tls-client-ca.",
        "Env: CCX_HOOK_TLS_CLIENT_NAMES. Default: none."
      })
  String tlsClientNames;

  @Option(
      names = "--max-request-bytes",
      paramLabel = "BYTES",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_REQUEST_BYTES,
      description = {
        "Largest gRPC request accepted; larger ones are refused (RESOURCE_EXHAUSTED).",
        "Env: CCX_HOOK_MAX_REQUEST_BYTES. Default: ${DEFAULT-VALUE} (1 MiB)."
      })
  int maxRequestBytes;

  @Option(
      names = "--max-concurrent-calls",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONCURRENT_CALLS,
      description = {
        "Hook calls in flight at once; beyond it calls are refused (RESOURCE_EXHAUSTED), not queued.",
        "Env: CCX_HOOK_MAX_CONCURRENT_CALLS. Default: ${DEFAULT-VALUE}."
      })
  int maxConcurrentCalls;

  @Option(
      names = "--max-pre-hooks-in-flight",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_PRE_HOOKS_IN_FLIGHT,
      description = {
        "Pre-hook calls (each an open request to the integrator) in flight at once; beyond it"
            + " they are refused (RESOURCE_EXHAUSTED).",
        "Env: CCX_HOOK_MAX_PRE_HOOKS_IN_FLIGHT. Default: ${DEFAULT-VALUE}."
      })
  int maxPreHooksInFlight;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = {
        "text, or json for one JSON object per line.",
        "Env: CCX_HOOK_LOG_FORMAT. Default: ${DEFAULT-VALUE}."
      })
  Logging.Format logFormat;

  /**
   * @param grpcHost where gRPC listens; every interface when empty
   * @param adminHost where admin HTTP listens; every interface when empty
   * @param allowUnauthenticated whether a relay without caller authentication may start
   */
  RelayConfig toConfig(
      HttpUrl hookUrl,
      DatabaseUrl database,
      int poolSize,
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
        poolSize,
        TlsSettings.of(tlsCert, tlsKey, tlsClientCa),
        grpcHost,
        adminHost,
        CallerAuth.of(clientToken, tlsClientNames, allowUnauthenticated),
        new GrpcLimits(maxRequestBytes, maxConcurrentCalls, maxPreHooksInFlight));
  }
}
