package ccx.hooks.deploy;

import static ccx.hooks.deploy.StrictManifests.ofType;
import static ccx.hooks.deploy.StrictManifests.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.cli.Main;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart, linted and rendered by helm itself (its library, inside the JVM), each manifest
 * read strictly into Kubernetes' typed model. Kubernetes cannot run here; this checks everything
 * short of applying the manifests.
 */
class HelmChartTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final Path CHART = ROOT.resolve("deploy/helm/ccx-hook-service");
  private static final Path ALL_OPTIONS = CHART.resolve("ci/all-options-values.yaml");
  private static final Path WORK = ROOT.resolve("target/helm-chart-test");

  /**
   * Options the chart passes for caller authentication, which arrive with that work: `serve` reads
   * CCX_HOOK_CLIENT_TOKEN once it has --client-token. Until then it ignores the variable.
   */
  private static final Set<String> SECRET_VARIABLES =
      Set.of(
          "CCX_HOOK_DATABASE_URL",
          "CCX_HOOK_CLIENT_TOKEN",
          "CCX_HOOK_SIGNING_SECRET",
          "CCX_HOOK_HOOK_TOKEN");

  /**
   * helm-java's template leaves out hooks, and the migration Job is one. The chart is rendered from
   * a copy under target/ in which the Job's hook annotations carry another prefix, so that helm
   * renders it as a plain manifest and the Job is read as strictly as the rest.
   */
  private static Path chartWithHooksShown() {
    try {
      Path copy = WORK.resolve("chart");
      try (var files = Files.walk(CHART)) {
        for (Path source : files.toList()) {
          Path target = copy.resolve(CHART.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.writeString(
                target, Files.readString(source).replace(HOOK_PREFIX, SHOWN_HOOK_PREFIX));
          }
        }
      }
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final String HOOK_PREFIX = "helm.sh/hook";
  private static final String SHOWN_HOOK_PREFIX = "test.ccx.hooks/hook";

  private static String template(Path valuesFile) {
    var command =
        new Helm(chartWithHooksShown())
            .template()
            .withName("ccx-hook-service")
            .withNamespace("ccx");
    if (valuesFile != null) {
      command = command.withValuesFile(valuesFile);
    }
    return command.call();
  }

  private static Path values(String name, String yaml) throws IOException {
    Files.createDirectories(WORK);
    return Files.writeString(WORK.resolve(name), yaml);
  }

  private static Container relay(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String help(String command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {command, "--help"}, Map.of(), stream, stream)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The option that an environment variable sets: CCX_HOOK_HOOK_URL is --hook-url. */
  private static String optionOf(String variable) {
    return "--" + variable.substring("CCX_HOOK_".length()).toLowerCase().replace('_', '-');
  }

  private static void assertEveryVariableIsAnOptionOf(String command, Container container) {
    String help = help(command);
    List<String> options =
        container.getEnv().stream()
            .map(EnvVar::getName)
            .filter(n -> n.startsWith("CCX_HOOK_"))
            .map(HelmChartTest::optionOf)
            .toList();
    assertThat(options).isNotEmpty();
    for (String option : options) {
      assertThat(Pattern.compile("(^|[\\s,])" + Pattern.quote(option) + "[=\\s,]").matcher(help))
          .as("%s --help lists %s", command, option)
          .matches(Matcher::find);
    }
    assertThat(container.getArgs()).containsExactly(command);
  }

  private static void assertSecretsComeFromSecrets(Container container, String secretName) {
    for (EnvVar env : container.getEnv()) {
      if (SECRET_VARIABLES.contains(env.getName())) {
        assertThat(env.getValue()).as(env.getName() + " has no literal value").isNull();
        assertThat(env.getValueFrom().getSecretKeyRef().getName())
            .as(env.getName())
            .isEqualTo(secretName);
      }
    }
  }

  @Test
  void the_chart_lints_without_errors_or_warnings() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void default_values_render_two_safe_replicas_with_probes_services_a_budget_and_a_migration_job() {
    List<Object> manifests = StrictManifests.parse(template(null));
    assertThat(manifests)
        .extracting(m -> m.getClass().getSimpleName())
        .containsExactlyInAnyOrder(
            "ServiceAccount", "Service", "Service", "Deployment", "PodDisruptionBudget", "Job");

    Deployment deployment = one(manifests, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Container relay = relay(deployment);
    assertThat(relay.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(relay.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(relay.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(relay.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
    assertThat(relay.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(relay.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(relay.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(relay.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(relay.getResources().getLimits()).containsKey("memory");
    assertThat(relay.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactlyInAnyOrder("grpc:50051", "admin:9090");

    assertThat(ofType(manifests, Service.class))
        .extracting(s -> s.getSpec().getPorts().get(0).getName())
        .containsExactlyInAnyOrder("grpc", "admin");
    PodDisruptionBudget budget = one(manifests, PodDisruptionBudget.class);
    assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

    Job migrate = one(manifests, Job.class);
    assertThat(migrate.getMetadata().getAnnotations())
        .containsEntry(SHOWN_HOOK_PREFIX, "pre-install,pre-upgrade")
        .containsEntry(SHOWN_HOOK_PREFIX + "-delete-policy", "before-hook-creation,hook-succeeded");
    Container migration = migrate.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(migration.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    Map<String, String> migrationLabels = migrate.getSpec().getTemplate().getMetadata().getLabels();
    for (Service service : ofType(manifests, Service.class)) {
      assertThat(migrationLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()))
          .as("the migration pod is no endpoint of " + service.getMetadata().getName())
          .isFalse();
    }
    assertThat(
            migrationLabels
                .entrySet()
                .containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()))
        .as("the budget does not count the migration pod")
        .isFalse();
    assertThat(one(manifests, ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void every_secret_comes_from_the_existing_secret_and_every_option_is_one_serve_knows() {
    List<Object> manifests = StrictManifests.parse(template(null));
    Container relay = relay(one(manifests, Deployment.class));
    assertThat(relay.getEnv())
        .extracting(EnvVar::getName)
        .containsAll(SECRET_VARIABLES)
        .doesNotContain("CCX_HOOK_ALLOW_UNAUTHENTICATED");
    assertSecretsComeFromSecrets(relay, "ccx-hook-service");
    EnvVar token =
        relay.getEnv().stream()
            .filter(e -> e.getName().equals("CCX_HOOK_CLIENT_TOKEN"))
            .findFirst()
            .orElseThrow();
    assertThat(token.getValueFrom().getSecretKeyRef().getOptional())
        .as("callers must be authenticated unless allowed on purpose")
        .isFalse();
    assertEveryVariableIsAnOptionOf("serve", relay);

    Container migration =
        one(manifests, Job.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertSecretsComeFromSecrets(migration, "ccx-hook-service");
    assertEveryVariableIsAnOptionOf("migrate", migration);
  }

  @Test
  void every_option_on_renders_monitoring_a_network_policy_and_an_autoscaler() {
    List<Object> manifests = StrictManifests.parse(template(ALL_OPTIONS));
    assertThat(manifests)
        .extracting(m -> m.getClass().getSimpleName())
        .contains("ServiceMonitor", "PrometheusRule", "NetworkPolicy", "HorizontalPodAutoscaler");

    Deployment deployment = one(manifests, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).as("the autoscaler owns replicas").isNull();
    Container relay = relay(deployment);
    assertSecretsComeFromSecrets(relay, "ccx-hook-secrets");
    assertEveryVariableIsAnOptionOf("serve", relay);
    assertThat(relay.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains(
            "CCX_HOOK_DRAIN_CONCURRENCY=32",
            "CCX_HOOK_PRE_HOOK_FAILURE=reject",
            "CCX_HOOK_DELIVERY_TIMEOUT=20s",
            "CCX_HOOK_TLS_CLIENT_CA=/etc/ccx-hook-service/tls/ca.crt",
            "CCX_HOOK_ALLOW_UNAUTHENTICATED=true");
    assertThat(relay.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/ccx-hook-service/tls") && m.getReadOnly());

    HorizontalPodAutoscaler autoscaler = one(manifests, HorizontalPodAutoscaler.class);
    assertThat(autoscaler.getSpec().getScaleTargetRef().getName())
        .isEqualTo(deployment.getMetadata().getName());
    NetworkPolicy policy = one(manifests, NetworkPolicy.class);
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(policy.getSpec().getIngress())
        .extracting(rule -> rule.getPorts().get(0).getPort().getStrVal())
        .containsExactly("grpc", "admin");

    PrometheusOperator.ServiceMonitor monitor =
        one(manifests, PrometheusOperator.ServiceMonitor.class);
    assertThat(monitor.spec().endpoints()).extracting(e -> e.port()).containsExactly("admin");
    Service admin =
        ofType(manifests, Service.class).stream()
            .filter(s -> s.getSpec().getPorts().get(0).getName().equals("admin"))
            .findFirst()
            .orElseThrow();
    assertThat(admin.getMetadata().getLabels())
        .containsAllEntriesOf(monitor.spec().selector().matchLabels());
  }

  @Test
  void the_prometheus_rule_carries_exactly_the_alerts_of_deploy_prometheus() throws IOException {
    String alerts = Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml"));
    assertThat(Files.readString(CHART.resolve("files/alerts.yml")))
        .as("files/alerts.yml is a copy of deploy/prometheus/alerts.yml")
        .isEqualTo(alerts);
    PrometheusOperator.PrometheusRule rule =
        one(StrictManifests.parse(template(ALL_OPTIONS)), PrometheusOperator.PrometheusRule.class);
    PrometheusOperator.PrometheusRuleSpec expected =
        StrictManifests.MAPPER.readValue(alerts, PrometheusOperator.PrometheusRuleSpec.class);
    assertThat(rule.spec()).isEqualTo(expected);
    assertThat(rule.spec().groups().get(0).rules()).hasSize(6);
  }

  @Test
  void the_grace_period_covers_the_relays_shutdown_and_follows_the_delivery_timeout()
      throws IOException {
    // Relay.close: gRPC 5 s + 5 s; OutboxDrainer.close: loop poll-interval (1 s) + 5 s,
    // deliveries delivery-timeout + 2 s, interrupted ones 5 s more; and the preStop pause.
    for (int timeout : new int[] {10, 60}) {
      Path file =
          values(
              "timeout-" + timeout + ".yaml",
              "relay:\n  deliveryTimeoutSeconds: " + timeout + "\n");
      Deployment deployment = one(StrictManifests.parse(template(file)), Deployment.class);
      long preStop =
          Long.parseLong(
              relay(deployment).getLifecycle().getPreStop().getExec().getCommand().get(1));
      long shutdown = 5 + 5 + (1 + 5) + (timeout + 2) + 5;
      assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
          .isGreaterThanOrEqualTo(preStop + shutdown)
          .isLessThanOrEqualTo(preStop + shutdown + 30);
      assertThat(relay(deployment).getEnv())
          .extracting(e -> e.getName() + "=" + e.getValue())
          .contains("CCX_HOOK_DELIVERY_TIMEOUT=" + timeout + "s");
    }
  }

  @Test
  void a_secret_given_as_a_plain_value_is_refused_with_its_name() throws IOException {
    Path file =
        values("secret-in-values.yaml", "relay:\n  options:\n    signing-secret: whsec_abc\n");
    assertThatThrownBy(() -> template(file))
        .hasMessageContaining("relay.options.signing-secret carries a secret")
        .hasMessageNotContaining("whsec_abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"database_url", "DATABASE-URL", "CCX_HOOK_DATABASE_URL", "HOOK_TOKEN"})
  void a_secret_given_as_a_plain_value_is_refused_however_its_name_is_spelt(String name)
      throws IOException {
    Path file =
        values(
            "secret-spelt-" + name + ".yaml",
            "relay:\n  options:\n    " + name + ": postgres://ccx:SuperSecret@db/ccx\n");
    assertThatThrownBy(() -> template(file))
        .hasMessageContaining("relay.options." + name + " carries a secret")
        .hasMessageNotContaining("SuperSecret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpc-port", "ADMIN_PORT", "delivery-timeout", "hook-url", "tls-cert"})
  void an_option_the_chart_sets_itself_is_refused_in_relay_options(String name) throws IOException {
    Path file =
        values("chart-option-" + name + ".yaml", "relay:\n  options:\n    " + name + ": x\n");
    assertThatThrownBy(() -> template(file))
        .hasMessageContaining("relay.options." + name + " is set by the chart");
  }

  @Test
  void an_option_is_named_for_its_variable_however_its_key_is_spelt() throws IOException {
    Path file = values("option-spelt.yaml", "relay:\n  options:\n    DATABASE_POOL_SIZE: 12\n");
    Deployment deployment = one(StrictManifests.parse(template(file)), Deployment.class);
    assertThat(relay(deployment).getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("CCX_HOOK_DATABASE_POOL_SIZE=12");
  }

  @Test
  void a_misspelt_field_in_a_manifest_fails_the_strict_reading() {
    String misspelt =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: relay
        spec:
          replica: 2
        """;
    assertThatThrownBy(() -> StrictManifests.parse(misspelt)).hasMessageContaining("replica");
  }
}
