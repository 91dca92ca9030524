package ccx.hooks.prehook;

import ccx.hooks.wire.HookJson;
import java.util.Optional;

/**
 * A usable answer to a pre-hook.
 *
 * @param json the body, when it was a JSON object (always, for a 2xx to an approval hook)
 * @param workId the integrator's work_id, checked; "" when it sent none
 * @param refusal for an approval hook answered with a 4xx (not 408 or 429): why it is a rejection
 */
record PreHookAnswer(Optional<HookJson.Answer> json, String workId, Optional<String> refusal) {
  String string(String field) {
    return json.map(a -> a.string(field)).orElse("");
  }
}
