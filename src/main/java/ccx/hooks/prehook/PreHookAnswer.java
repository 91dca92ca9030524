package ccx.hooks.prehook;

import ccx.hooks.wire.HookJson;
import java.util.Optional;

/**
 * A usable answer to a pre-hook.
 *
 * @param json the body, when it was a JSON object (always, for approval hooks)
 */
record PreHookAnswer(Optional<HookJson.Answer> json) {
  String string(String field) {
    return json.map(a -> a.string(field)).orElse("");
  }
}
