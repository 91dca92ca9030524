package ccx.hooks.deploy;

import java.util.List;
import java.util.Map;

/**
 * The fields of the Prometheus Operator's ServiceMonitor and PrometheusRule
 * (monitoring.coreos.com/v1) that the chart may use, typed after the operator's CRDs, so that they
 * are read as strictly as fabric8's classes.
 */
final class PrometheusOperator {
  private PrometheusOperator() {}

  record Metadata(
      String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}

  interface Resource {
    Metadata metadata();
  }

  record LabelSelector(Map<String, String> matchLabels) {}

  record Endpoint(String port, String path, String interval, String scrapeTimeout) {}

  record ServiceMonitorSpec(LabelSelector selector, List<Endpoint> endpoints, String jobLabel) {}

  record ServiceMonitor(String apiVersion, String kind, Metadata metadata, ServiceMonitorSpec spec)
      implements Resource {}

  record Rule(
      String alert,
      String record,
      String expr,
      @com.fasterxml.jackson.annotation.JsonProperty("for") String forDuration,
      Map<String, String> labels,
      Map<String, String> annotations) {}

  record RuleGroup(String name, String interval, List<Rule> rules) {}

  record PrometheusRuleSpec(List<RuleGroup> groups) {}

  record PrometheusRule(String apiVersion, String kind, Metadata metadata, PrometheusRuleSpec spec)
      implements Resource {}
}
