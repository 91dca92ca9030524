package ccx.hooks.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus checked by promtool: the rules are valid, their unit tests (alerts.test.yml:
 * each alert fires when it should and stays quiet when it should) pass, and the compose stack's
 * Prometheus configuration loads them. Each alert has its runbook in the README.
 */
class PrometheusRulesTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final Path RULES = ROOT.resolve("deploy/prometheus");

  /** Runs promtool in the rules' directory; its output, once it has exited 0. */
  private static String promtoolSucceeds(String... arguments) throws Exception {
    Promtool.Result result = Promtool.run(RULES, "", arguments);
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }

  @Test
  void the_alert_rules_are_valid() throws Exception {
    assertThat(promtoolSucceeds("check", "rules", "alerts.yml")).contains("SUCCESS: 6 rules found");
  }

  @Test
  void every_alert_fires_and_stays_quiet_as_its_unit_tests_say() throws Exception {
    assertThat(promtoolSucceeds("test", "rules", "alerts.test.yml")).contains("SUCCESS");
  }

  @Test
  void the_compose_prometheus_configuration_loads_the_rules() throws Exception {
    assertThat(promtoolSucceeds("check", "config", "prometheus.yml"))
        .contains("SUCCESS: 1 rule files found");
  }

  @Test
  void every_alert_has_a_unit_test_and_a_runbook_section_in_the_readme() throws Exception {
    String rules = Files.readString(RULES.resolve("alerts.yml"));
    String tests = Files.readString(RULES.resolve("alerts.test.yml"));
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher alert = Pattern.compile("- alert: (\\w+)").matcher(rules);
    int alerts = 0;
    while (alert.find()) {
      alerts++;
      String name = alert.group(1);
      assertThat(tests).as("a unit test of " + name).contains("alertname: " + name);
      assertThat(readme).as("a runbook for " + name).contains("#### " + name + "\n");
      assertThat(rules).contains("runbook: \"README.md#" + name.toLowerCase() + "\"");
    }
    assertThat(alerts).isEqualTo(6);
  }
}
