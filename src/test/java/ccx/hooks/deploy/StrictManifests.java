package ccx.hooks.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads rendered manifests into Kubernetes' typed model so that a misspelt or misplaced field
 * fails. fabric8's classes keep unknown fields in an {@code additionalProperties} map (a JSON
 * any-setter), which would accept anything; the any-setter is removed here, so that {@code
 * FAIL_ON_UNKNOWN_PROPERTIES} applies to every class.
 */
final class StrictManifests {
  /** The kinds the chart renders, by apiVersion and kind. */
  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "apps/v1/Deployment", Deployment.class,
          "v1/Service", io.fabric8.kubernetes.api.model.Service.class,
          "v1/ServiceAccount", ServiceAccount.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "batch/v1/Job", Job.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          // fabric8 8 publishes no Prometheus Operator model: these two are typed in this package.
          "monitoring.coreos.com/v1/ServiceMonitor", PrometheusOperator.ServiceMonitor.class,
          "monitoring.coreos.com/v1/PrometheusRule", PrometheusOperator.PrometheusRule.class);

  static final YAMLMapper MAPPER =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .addModule(
              new SimpleModule("strict")
                  .setDeserializerModifier(
                      new ValueDeserializerModifier() {
                        @Override
                        public BeanDeserializerBuilder updateBuilder(
                            DeserializationConfig config,
                            BeanDescription.Supplier description,
                            BeanDeserializerBuilder builder) {
                          builder.setAnySetter(null);
                          return builder;
                        }
                      }))
          .build();

  private StrictManifests() {}

  /** Each YAML document of {@code rendered}, read into its typed class. */
  static List<Object> parse(String rendered) {
    List<Object> manifests = new ArrayList<>();
    for (String document : rendered.split("(?m)^---\\s*$")) {
      JsonNode tree = MAPPER.readTree(document);
      if (tree == null || tree.isMissingNode() || tree.isNull() || tree.isEmpty()) {
        continue;
      }
      String kind = tree.path("apiVersion").asString() + "/" + tree.path("kind").asString();
      Class<?> type = KINDS.get(kind);
      if (type == null) {
        throw new AssertionError("the chart renders a kind this test does not know: " + kind);
      }
      manifests.add(MAPPER.readValue(document, type));
    }
    return manifests;
  }

  static <T> List<T> ofType(List<Object> manifests, Class<T> type) {
    return manifests.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T> T one(List<Object> manifests, Class<T> type) {
    List<T> found = ofType(manifests, type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  static String name(Object manifest) {
    return manifest instanceof HasMetadata m
        ? m.getMetadata().getName()
        : ((PrometheusOperator.Resource) manifest).metadata().name();
  }
}
