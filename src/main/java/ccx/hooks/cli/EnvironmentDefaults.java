package ccx.hooks.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads every option's default from its environment variable: {@code --hook-url} from {@code
 * CCX_HOOK_HOOK_URL}, {@code --database-url} from {@code CCX_HOOK_DATABASE_URL}, and so on. A value
 * on the command line wins over the variable, which wins over the built-in default.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = environment;
  }

  static String variableFor(String longOption) {
    return "CCX_HOOK_"
        + longOption.replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec argument) {
    if (argument instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String value = environment.get(variableFor(option.longestName()));
      if (value != null) {
        return value;
      }
      if (option.longestName().equals("--token")) {
        // test-client speaks to the relay configured in the same environment: its first token.
        String tokens = environment.getOrDefault("CCX_HOOK_CLIENT_TOKEN", "").trim();
        if (!tokens.isEmpty()) {
          return tokens.split("\\s+")[0];
        }
      }
    }
    return argument.defaultValue();
  }
}
