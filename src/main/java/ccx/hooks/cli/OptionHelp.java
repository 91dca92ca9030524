package ccx.hooks.cli;

import java.util.Arrays;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Ends the help of every option with the variable that sets it and its default, as in {@code Env:
 * CCX_HOOK_GRPC_PORT. Default: 50051.}, so that no option writes them by hand: the variable is the
 * one {@link EnvironmentDefaults} reads, and the default is the option's own {@code defaultValue}
 * (a constant of the config record it fills, for the relay's options).
 *
 * <p>An option without a default value whose absence means something says what in a last
 * description line that starts with {@code Default:} (e.g. {@code Default: plaintext.}); that line
 * follows the variable.
 */
final class OptionHelp extends Help {
  private static final String DEFAULT = "Default:";

  /** The column of the standard option rows that holds the description. */
  private static final int DESCRIPTION = 4;

  OptionHelp(CommandSpec command, ColorScheme scheme) {
    super(command, scheme);
  }

  @Override
  public IOptionRenderer createDefaultOptionRenderer() {
    IOptionRenderer standard = super.createDefaultOptionRenderer();
    return (option, labels, scheme) -> {
      Text[][] rows = standard.render(option, labels, scheme);
      if (option.usageHelp() || option.versionHelp()) {
        return rows;
      }
      String[] description = option.description();
      String last = description.length == 0 ? "" : description[description.length - 1];
      String variable = "Env: " + EnvironmentDefaults.variableFor(option.longestName()) + ".";
      if (last.startsWith(DEFAULT)) {
        // The standard renderer gives each description line a row: the last row is this line's.
        rows[rows.length - 1][DESCRIPTION] = scheme.text(variable + " " + last);
        return rows;
      }
      String value = option.defaultValue() == null ? "" : option.defaultValueString();
      Text[] added = new Text[rows[0].length];
      Arrays.fill(added, scheme.text(""));
      added[DESCRIPTION] =
          scheme.text(value.isEmpty() ? variable : variable + " " + DEFAULT + " " + value + ".");
      Text[][] withVariable = Arrays.copyOf(rows, rows.length + 1);
      withVariable[rows.length] = added;
      return withVariable;
    };
  }
}
