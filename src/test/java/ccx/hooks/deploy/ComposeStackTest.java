package ccx.hooks.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.RelayConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The compose stack's Prometheus and Grafana, as far as they can be checked without Docker: every
 * file they mount exists, Prometheus scrapes the relay's admin port, Grafana's data source is the
 * one the dashboard uses, and {@code docker-compose config} accepts the file where it is installed.
 */
class ComposeStackTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private static JsonNode read(String file) {
    return YAML.readTree(ROOT.resolve(file).toFile());
  }

  @Test
  void every_file_prometheus_and_grafana_mount_exists() {
    JsonNode services = read("docker-compose.yml").path("services");
    for (String service : List.of("prometheus", "grafana")) {
      JsonNode volumes = services.path(service).path("volumes");
      assertThat(volumes.isEmpty()).as(service + " mounts files").isFalse();
      for (JsonNode volume : volumes) {
        String source = volume.asString().split(":")[0];
        assertThat(ROOT.resolve(source)).as(service + " mounts " + source).exists();
      }
    }
  }

  @Test
  void prometheus_scrapes_the_relays_admin_port_and_loads_the_alerts() {
    JsonNode config = read("deploy/prometheus/prometheus.yml");
    assertThat(config.path("rule_files").get(0).asString()).isEqualTo("alerts.yml");
    JsonNode job = config.path("scrape_configs").get(0);
    assertThat(job.path("job_name").asString()).contains("ccx-hook-service");
    assertThat(job.path("static_configs").get(0).path("targets").get(0).asString())
        .isEqualTo("relay:" + RelayConfig.DEFAULT_ADMIN_PORT);
    assertThat(read("docker-compose.yml").path("services").has("relay")).isTrue();
  }

  @Test
  void grafana_provisions_the_dashboard_with_a_prometheus_data_source() {
    JsonNode source = read("deploy/grafana/provisioning/datasources/prometheus.yml");
    assertThat(source.path("datasources").get(0).path("type").asString()).isEqualTo("prometheus");
    assertThat(source.path("datasources").get(0).path("url").asString())
        .isEqualTo("http://prometheus:9090");
    String dashboards =
        read("deploy/grafana/provisioning/dashboards/ccx-hook-service.yml")
            .path("providers")
            .get(0)
            .path("options")
            .path("path")
            .asString();
    assertThat(
            read("docker-compose.yml").path("services").path("grafana").path("volumes").toString())
        .contains(dashboards + "/ccx-hook-service.json");
  }

  @Test
  void docker_compose_accepts_the_file_where_it_is_installed() throws Exception {
    Optional<Path> compose =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "docker-compose"))
            .filter(Files::isExecutable)
            .findFirst();
    Assumptions.assumeTrue(compose.isPresent(), "docker-compose is not installed");
    ProcessBuilder builder =
        new ProcessBuilder(compose.get().toString(), "config", "--services")
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    // The compose file refuses to run without a caller token of the operator's: give it one.
    builder.environment().put("CCX_HOOK_CLIENT_TOKEN", "compose-config-check-token-0123456789");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.lines().toList())
        .contains("postgres", "mock-hooks", "relay", "prometheus", "grafana");
  }
}
