package ccx.hooks.testing;

import ccx.hooks.config.CallerAuth;
import ccx.hooks.config.DeliverySettings;
import ccx.hooks.config.GrpcLimits;
import ccx.hooks.config.PreHookSettings;
import ccx.hooks.config.RelayConfig;
import ccx.hooks.db.DatabaseUrl;
import ccx.hooks.wire.HookTarget;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/** Settings that tests build often: the defaults with the one part a test is about changed. */
public final class TestConfigs {
  private TestConfigs() {}

  /** The default delivery settings with another retry schedule. */
  public static DeliverySettings deliveryWithRetry(
      Duration retryInitial, Duration retryMax, int maxAttempts) {
    DeliverySettings d = DeliverySettings.defaults();
    return new DeliverySettings(
        d.deliveryTimeout(),
        d.drainConcurrency(),
        retryInitial,
        retryMax,
        maxAttempts,
        d.maxAge(),
        d.ordering(),
        d.retention(),
        d.pollInterval());
  }

  /** {@code settings} with another delivery timeout. */
  public static DeliverySettings withDeliveryTimeout(DeliverySettings settings, Duration timeout) {
    return new DeliverySettings(
        timeout,
        settings.drainConcurrency(),
        settings.retryInitial(),
        settings.retryMax(),
        settings.maxAttempts(),
        settings.maxAge(),
        settings.ordering(),
        settings.retention(),
        settings.pollInterval());
  }

  /**
   * A relay with default settings on free ports of loopback, as {@code local-server} runs: no
   * caller check (only local processes reach it) and plaintext gRPC.
   */
  public static RelayConfig loopbackRelay(HookTarget target, DatabaseUrl database, int poolSize) {
    Optional<InetAddress> loopback = Optional.of(InetAddress.getLoopbackAddress());
    return new RelayConfig(
        target,
        database,
        0,
        0,
        PreHookSettings.defaults(),
        DeliverySettings.defaults(),
        poolSize,
        Optional.empty(),
        loopback,
        loopback,
        CallerAuth.loopbackOnly(),
        GrpcLimits.defaults());
  }
}
