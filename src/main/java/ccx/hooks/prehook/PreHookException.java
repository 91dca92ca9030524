package ccx.hooks.prehook;

import ccx.hooks.core.Hook;
import ccx.hooks.core.RelayException;

/**
 * A pre-hook got no usable answer: no answer, a non-2xx status, or (for approval hooks) a body that
 * is not a JSON object. The message says which, in words fit for a gRPC status.
 */
public final class PreHookException extends RelayException {
  private final Hook hook;

  PreHookException(Hook hook, String cause, Throwable throwable) {
    super(hook.path() + " hook failed: " + cause, throwable);
    this.hook = hook;
  }

  public Hook hook() {
    return hook;
  }

  /** The cause alone, without the hook's name: for a rejection's reason. */
  public String cause() {
    return getMessage().substring(hook.path().length() + " hook failed: ".length());
  }
}
