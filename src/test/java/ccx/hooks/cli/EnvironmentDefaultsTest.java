package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

class EnvironmentDefaultsTest {

  @Test
  void each_long_option_has_a_ccx_hook_variable() {
    assertThat(EnvironmentDefaults.variableFor("--hook-url")).isEqualTo("CCX_HOOK_HOOK_URL");
    assertThat(EnvironmentDefaults.variableFor("--database-url"))
        .isEqualTo("CCX_HOOK_DATABASE_URL");
    assertThat(EnvironmentDefaults.variableFor("--pre-hook-timeout"))
        .isEqualTo("CCX_HOOK_PRE_HOOK_TIMEOUT");
    assertThat(EnvironmentDefaults.variableFor("--port")).isEqualTo("CCX_HOOK_PORT");
  }

  @Test
  void the_variable_replaces_the_built_in_default() {
    EnvironmentDefaults defaults =
        new EnvironmentDefaults(Map.of("CCX_HOOK_RETRY_MAX", "30m", "OTHER", "x"));
    OptionSpec retryMax = OptionSpec.builder("--retry-max").defaultValue("10m").build();
    OptionSpec retryInitial = OptionSpec.builder("--retry-initial").defaultValue("1s").build();

    assertThat(defaults.defaultValue(retryMax)).isEqualTo("30m");
    assertThat(defaults.defaultValue(retryInitial)).isEqualTo("1s");
  }

  @Test
  void short_options_and_positional_parameters_keep_their_default() {
    EnvironmentDefaults defaults = new EnvironmentDefaults(Map.of("CCX_HOOK_V", "yes"));
    OptionSpec shortOnly = OptionSpec.builder("-v").defaultValue("no").build();
    PositionalParamSpec url = PositionalParamSpec.builder().defaultValue("mock").build();

    assertThat(defaults.defaultValue(shortOnly)).isEqualTo("no");
    assertThat(defaults.defaultValue(url)).isEqualTo("mock");
  }
}
