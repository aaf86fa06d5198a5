package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's own Deployment in manifests/: two replicas with leader election and a disruption
 * budget, Pod Security `restricted`, and memory that fits the heap measured at 10,000 workloads.
 * (ManifestsScanTest runs the operator's own scan over the same files.)
 */
class DeploymentManifestTest {
  /** Issue 10's bound for the heap in use at 10,000 workloads (measured: 202.1 MiB). */
  private static final double HEAP_AT_10K_MIB = 256;

  private static final JsonNode DEPLOYMENT = Manifests.only("Deployment");
  private static final JsonNode POD = DEPLOYMENT.path("spec").path("template").path("spec");

  @Test
  void twoReplicasWithLeaderElectionInThePodsNamespaceUnderThePodsName() {
    assertThat(DEPLOYMENT.path("spec").path("replicas").asInt()).isEqualTo(2);
    JsonNode container = operatorContainer();
    assertThat(texts(container.path("args"))).startsWith("run").contains("--leader-election");
    assertThat(fieldRef(container, "POD_NAMESPACE")).isEqualTo("metadata.namespace");
    assertThat(fieldRef(container, "POD_NAME")).isEqualTo("metadata.name");
    // The Lease's Role lives where the pods run.
    assertThat(Manifests.only("Role").path("metadata").path("namespace").asText())
        .isEqualTo(DEPLOYMENT.path("metadata").path("namespace").asText());
    // A rollout starts a new pod before it stops an old one.
    assertThat(
            DEPLOYMENT
                .path("spec")
                .path("strategy")
                .path("rollingUpdate")
                .path("maxUnavailable")
                .asInt(-1))
        .isZero();
    // Both probes are served to a standby too (see HealthServer).
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/healthz");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/readyz");
  }

  @Test
  void aDisruptionBudgetLetsOneReplicaGoAtATime() {
    JsonNode pdb = Manifests.only("PodDisruptionBudget");
    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.path("metadata").path("namespace").asText())
        .isEqualTo(DEPLOYMENT.path("metadata").path("namespace").asText());
    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.path("spec").has("minAvailable")).isFalse();
    assertThat(pdb.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(DEPLOYMENT.path("spec").path("selector").path("matchLabels"));
  }

  /** The Pod Security Standards' restricted profile, field by field, for every container. */
  @Test
  void passesPodSecurityRestricted() {
    for (String hostField : List.of("hostNetwork", "hostPID", "hostIPC")) {
      assertThat(POD.path(hostField).asBoolean(false)).as(hostField).isFalse();
    }
    for (JsonNode volume : POD.path("volumes")) {
      List<String> types = new ArrayList<>();
      volume.fieldNames().forEachRemaining(types::add);
      types.remove("name");
      assertThat(types)
          .as("volume %s", volume.path("name").asText())
          .isSubsetOf(
              "configMap",
              "csi",
              "downwardAPI",
              "emptyDir",
              "ephemeral",
              "persistentVolumeClaim",
              "projected",
              "secret");
    }
    JsonNode podContext = POD.path("securityContext");
    List<JsonNode> containers = new ArrayList<>();
    POD.path("initContainers").forEach(containers::add);
    POD.path("containers").forEach(containers::add);
    assertThat(containers).isNotEmpty();
    for (JsonNode c : containers) {
      JsonNode sc = c.path("securityContext");
      String name = c.path("name").asText();
      assertThat(either(sc, podContext, "runAsNonRoot").asBoolean(false))
          .as("%s runAsNonRoot", name)
          .isTrue();
      assertThat(either(sc, podContext, "runAsUser").asLong(-1))
          .as("%s runAsUser", name)
          .isPositive();
      assertThat(either(sc, podContext, "seccompProfile").path("type").asText())
          .as("%s seccompProfile", name)
          .isIn("RuntimeDefault", "Localhost");
      assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true))
          .as("%s allowPrivilegeEscalation", name)
          .isFalse();
      assertThat(sc.path("privileged").asBoolean(false)).as("%s privileged", name).isFalse();
      assertThat(texts(sc.path("capabilities").path("drop"))).as("%s drop", name).contains("ALL");
      assertThat(texts(sc.path("capabilities").path("add")))
          .as("%s add", name)
          .isSubsetOf("NET_BIND_SERVICE");
      for (JsonNode port : c.path("ports")) {
        assertThat(port.has("hostPort")).as("%s hostPort", name).isFalse();
      }
    }
  }

  /**
   * Memory request = limit (the JVM keeps the heap it grew), and the heap the JVM may take from
   * that limit holds the heap issue 10 allows at 10,000 workloads, leaving room outside the heap.
   */
  @Test
  void memoryFollowsTheMeasuredHeap() {
    JsonNode resources = operatorContainer().path("resources");
    double limit = mebibytes(resources.path("limits").path("memory").asText());
    assertThat(mebibytes(resources.path("requests").path("memory").asText())).isEqualTo(limit);
    assertThat(resources.path("limits").has("cpu")).as("no CPU limit").isFalse();

    String options = env(operatorContainer(), "JAVA_TOOL_OPTIONS").path("value").asText();
    assertThat(options).doesNotContain("-Xmx").contains("-XX:+ExitOnOutOfMemoryError");
    // Under this limit the JVM would pick the Serial collector by itself: the heap and the
    // latency were measured with G1.
    assertThat(options).as("collector named").contains("-XX:+UseG1GC");
    // Two collectors named and the JVM does not start.
    assertThat(Pattern.compile("-XX:\\+Use\\w+GC").matcher(options).results().count())
        .as("one collector: " + options)
        .isEqualTo(1);
    Matcher percent = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(\\.\\d+)?)").matcher(options);
    assertThat(percent.find()).as("heap set as a share of the limit: " + options).isTrue();
    double heap = limit * Double.parseDouble(percent.group(1)) / 100;
    assertThat(heap).as("max heap, MiB").isGreaterThanOrEqualTo(HEAP_AT_10K_MIB);
    assertThat(limit - heap).as("memory outside the heap, MiB").isGreaterThanOrEqualTo(160);
  }

  @Test
  void theKustomizationListsEveryManifest() throws IOException {
    JsonNode kustomization = Manifests.only("Kustomization");
    Set<String> listed = Set.copyOf(texts(kustomization.path("resources")));
    try (Stream<Path> files = Files.list(Manifests.DIR)) {
      List<String> yaml =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .toList();
      assertThat(listed).containsAll(yaml);
    }
  }

  private static JsonNode operatorContainer() {
    assertThat(POD.path("containers")).hasSize(1);
    return POD.path("containers").get(0);
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) return e;
    }
    throw new AssertionError("no env " + name + " in the operator's container");
  }

  private static String fieldRef(JsonNode container, String name) {
    return env(container, name).path("valueFrom").path("fieldRef").path("fieldPath").asText();
  }

  private static JsonNode either(JsonNode container, JsonNode pod, String field) {
    return container.has(field) ? container.path(field) : pod.path(field);
  }

  private static double mebibytes(String quantity) {
    if (quantity.endsWith("Mi")) return Double.parseDouble(quantity.replace("Mi", ""));
    if (quantity.endsWith("Gi")) return Double.parseDouble(quantity.replace("Gi", "")) * 1024;
    throw new AssertionError("memory quantity in Mi or Gi expected, got " + quantity);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
