package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.RecordedChange;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against {@link EmbeddedApiServer}: what the demo's --serve session promises. */
class KubectlAgainstEmbeddedApiServerTest {
  private static final String AGE = "\\d+(s|m\\d*s?|h\\d*m?|d\\d*h?|y\\d*d?)";
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir static Path dir;

  private static EmbeddedApiServer server;
  private static KubernetesClient client;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    assumeTrue(Kubectl.onPath(), "kubectl is not on the PATH");
    server = EmbeddedApiServer.start(0);
    client = server.client();
    server.installCrd(NonRootPolicyCrd.load());
    kubectl = new Kubectl(server.writeKubeconfig(dir.resolve("kubeconfig")), dir);
    createPolicy("baseline", 3, 1, 2, 0);
    createDeployment("shop", "web", 3, 2);
    createDeployment("payments", "api", 1, 1);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void getNonRootPolicyPrintsThePrinterColumns() {
    Kubectl.Result result = kubectl.run("get", "nonrootpolicy");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.fields(0))
        .containsExactly("NAME", "MODE", "MATCHED", "COMPLIANT", "REMEDIATED", "VIOLATIONS", "AGE");
    List<String> row = result.fields(1);
    assertThat(row.subList(0, 6)).containsExactly("baseline", "Enforce", "3", "1", "2", "0");
    assertThat(row.get(6)).matches(AGE);
  }

  @Test
  void wideOutputAddsThePriorityOneColumns() {
    Kubectl.Result result = kubectl.run("get", "nrp", "-o", "wide");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.fields(0))
        .containsExactly(
            "NAME",
            "MODE",
            "MATCHED",
            "COMPLIANT",
            "REMEDIATED",
            "VIOLATIONS",
            "AGE",
            "NEEDSROOT",
            "EXEMPT",
            "OVERRIDDEN",
            "FAILED",
            "PENDING",
            "ROLLINGOUT",
            "VERIFIED",
            "REVERTED",
            "READY",
            "REASON");
    List<List<String>> rows =
        result.lines().stream().skip(1).map(l -> List.of(l.trim().split("\\s+"))).toList();
    // Rows come in name order, as kube-apiserver lists them.
    assertThat(rows).extracting(r -> r.get(0)).isSorted();
    List<String> row =
        rows.stream().filter(r -> r.get(0).equals("baseline")).findFirst().orElseThrow();
    assertThat(row.subList(0, 6)).containsExactly("baseline", "Enforce", "3", "1", "2", "0");
    assertThat(row.subList(7, 17))
        .containsExactly("0", "0", "0", "0", "0", "0", "0", "0", "True", "Converged");
  }

  @Test
  void resourceNamesResolveLikeOnARealCluster() {
    for (String name : List.of("nonrootpolicies", "nonrootpolicies.nonroot.dev", "nrp")) {
      Kubectl.Result result = kubectl.run("get", name, "baseline", "-o", "name");
      assertThat(result.exitCode()).as(name + ": " + result).isZero();
      assertThat(result.stdout().trim()).isEqualTo("nonrootpolicy.nonroot.dev/baseline");
    }
    Kubectl.Result resources = kubectl.run("api-resources", "--api-group=nonroot.dev");
    assertThat(resources.fields(1))
        .containsExactly(
            "nonrootpolicies", "nrp", "nonroot.dev/v1alpha1", "false", "NonRootPolicy");
  }

  @Test
  void getDeploymentsInAllNamespaces() {
    Kubectl.Result result = kubectl.run("get", "deploy", "-A");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.fields(0))
        .containsExactly("NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
    assertThat(result.lines())
        .anySatisfy(line -> assertThat(line).matches("shop\\s+web\\s+2/3\\s+2\\s+2\\s+" + AGE));
    assertThat(result.lines())
        .anySatisfy(line -> assertThat(line).matches("payments\\s+api\\s+1/1\\s+1\\s+1\\s+" + AGE));
  }

  @Test
  void getOneDeploymentAsYamlReturnsTheObject() throws Exception {
    Kubectl.Result result = kubectl.run("get", "deploy", "web", "-n", "shop", "-o", "yaml");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode deployment = YAML.readTree(result.stdout());
    assertThat(deployment.path("kind").asText()).isEqualTo("Deployment");
    assertThat(deployment.at("/metadata/namespace").asText()).isEqualTo("shop");
    assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("nginx:1.27");
    assertThat(deployment.at("/status/readyReplicas").asInt()).isEqualTo(2);

    Kubectl.Result table = kubectl.run("get", "deploy", "web", "-n", "shop");
    assertThat(table.fields(0)).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
    assertThat(table.fields(1).subList(0, 4)).containsExactly("web", "2/3", "2", "2");
  }

  @Test
  void createFromFileThenPatchWithJsonPatchThenDelete() {
    String file = Path.of("src/test/resources/demo/deployment.yaml").toAbsolutePath().toString();

    Kubectl.Result created =
        kubectl.run("create", "--validate=false", "-f", file, "-n", "checkout");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.stdout()).contains("deployment.apps/checkout created");

    Deployment stored =
        client.apps().deployments().inNamespace("checkout").withName("checkout").get();
    assertThat(stored).isNotNull();
    assertThat(stored.getMetadata().getUid()).isNotBlank();
    assertThat(stored.getMetadata().getCreationTimestamp()).isNotBlank();
    assertThat(stored.getMetadata().getResourceVersion()).isNotBlank();
    assertThat(stored.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(stored.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly("kubectl-create");
    assertThat(client.namespaces().withName("checkout").get())
        .as("namespace created on demand")
        .isNotNull();

    Kubectl.Result patched =
        kubectl.run(
            "patch",
            "deploy",
            "checkout",
            "-n",
            "checkout",
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]");
    assertThat(patched.exitCode()).as(patched.toString()).isZero();
    Deployment afterPatch =
        client.apps().deployments().inNamespace("checkout").withName("checkout").get();
    assertThat(afterPatch.getSpec().getReplicas()).isEqualTo(5);
    assertThat(afterPatch.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(afterPatch.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly("kubectl-create", "kubectl-patch");

    Kubectl.Result shown =
        kubectl.run(
            "get", "deploy", "checkout", "-n", "checkout", "-o", "yaml", "--show-managed-fields");
    assertThat(shown.stdout()).contains("manager: kubectl-create", "manager: kubectl-patch");

    Kubectl.Result deleted = kubectl.run("delete", "deploy", "checkout", "-n", "checkout");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(client.apps().deployments().inNamespace("checkout").withName("checkout").get())
        .isNull();
    Kubectl.Result missing = kubectl.run("get", "deploy", "checkout", "-n", "checkout");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("deployments.apps \"checkout\" not found");
  }

  @Test
  void managedFieldsShowAGitOpsControllerTakingBackAFieldTheOperatorChanged() throws Exception {
    Path file = dir.resolve("gitops.yaml");
    Files.writeString(
        file,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: gitops, labels: {app: web}}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: web, image: nginx:1.27, securityContext: {runAsNonRoot: false}}
        """);
    Kubectl.Result created = kubectl.run("create", "--validate=false", "-f", file.toString());
    assertThat(created.exitCode()).as(created.toString()).isZero();
    // The operator's write: its own field manager, the fix and its record, as a JSON patch.
    client
        .apps()
        .deployments()
        .inNamespace("gitops")
        .withName("web")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON)
                .withFieldManager("nonroot-operator")
                .build(),
            """
            [{"op": "replace", "value": true,
              "path": "/spec/template/spec/containers/0/securityContext/runAsNonRoot"},
             {"op": "add", "path": "/metadata/annotations", "value": {"nonroot.dev/changes": "[]"}}]
            """);
    assertThat(owners(managedFields("gitops", "web"), RUN_AS_NON_ROOT))
        .containsExactly("nonroot-operator");

    Kubectl.Result reverted =
        kubectl.run(
            "patch",
            "deploy",
            "web",
            "-n",
            "gitops",
            "--field-manager=argocd-controller",
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/securityContext/runAsNonRoot\",\"value\":false}]");
    assertThat(reverted.exitCode()).as(reverted.toString()).isZero();

    JsonNode managedFields = managedFields("gitops", "web");
    assertThat(owners(managedFields, RUN_AS_NON_ROOT)).containsExactly("argocd-controller");
    assertThat(managedFields)
        .extracting(e -> e.path("manager").asText())
        .containsExactlyInAnyOrder("kubectl-create", "nonroot-operator", "argocd-controller");
    assertThat(owners(managedFields, "f:metadata", "f:annotations", "f:nonroot.dev/changes"))
        .as("the operator still owns its record")
        .containsExactly("nonroot-operator");
    assertThat(
            owners(managedFields, "f:spec", "f:template", "f:spec", "f:containers", WEB, "f:image"))
        .containsExactly("kubectl-create");
  }

  @Test
  void writesToTheMainResourceKeepStatusAndStatusWritesChangeOnlyStatus() {
    createDeployment("status-test", "db", 2, 1);

    Kubectl.Result main =
        kubectl.run(
            "patch",
            "deploy",
            "db",
            "-n",
            "status-test",
            "--type=merge",
            "-p",
            "{\"spec\":{\"replicas\":4},\"status\":{\"readyReplicas\":0}}");
    assertThat(main.exitCode()).as(main.toString()).isZero();
    Deployment afterMain =
        client.apps().deployments().inNamespace("status-test").withName("db").get();
    assertThat(afterMain.getSpec().getReplicas()).isEqualTo(4);
    assertThat(afterMain.getStatus().getReadyReplicas()).as("status kept").isEqualTo(1);

    Kubectl.Result status =
        kubectl.run(
            "patch",
            "deploy",
            "db",
            "-n",
            "status-test",
            "--subresource=status",
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/status/readyReplicas\",\"value\":3},"
                + "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":9}]");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    Deployment afterStatus =
        client.apps().deployments().inNamespace("status-test").withName("db").get();
    assertThat(afterStatus.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(afterStatus.getSpec().getReplicas())
        .as("spec untouched by a status write")
        .isEqualTo(4);
    assertThat(afterStatus.getMetadata().getGeneration())
        .isEqualTo(afterMain.getMetadata().getGeneration());
  }

  @Test
  void describeShowsConditionsAndCountersBeforeTheLongLists() {
    createPolicy("busy", 300, 0, 300, 0);
    NonRootPolicy busy = client.resources(NonRootPolicy.class).withName("busy").get();
    List<RecordedChange> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(
          new RecordedChange(
              "Deployment",
              "shop",
              "app-" + i,
              "app",
              "spec.template.spec.securityContext.runAsNonRoot",
              null,
              "true",
              "Patched",
              "RunAsNonRoot",
              "2026-01-01T00:00:00Z"));
    }
    busy.getStatus().setWorkloadChanges(many);
    client.resources(NonRootPolicy.class).resource(busy).updateStatus();

    Kubectl.Result result = kubectl.run("describe", "nrp", "busy");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    List<String> lines = result.stdout().lines().map(String::strip).toList();
    int list = lines.indexOf("Workload Changes:");
    // kubectl describe prints a custom resource's keys in alphabetical order: the 300 changes
    // must come after everything an admin reads first.
    assertThat(list).as(result.stdout()).isPositive();
    for (String first : List.of("Conditions:", "Matched:", "Remediated:", "Violations:")) {
      assertThat(lines.stream().filter(l -> l.startsWith(first)).findFirst())
          .as(first)
          .map(lines::indexOf)
          .hasValueSatisfying(at -> assertThat(at).isLessThan(list));
    }
  }

  @Test
  void statusSubresourceOfACustomResourceWorksWithKubectlsQueryString() {
    createPolicy("audit-only", 5, 5, 0, 0);

    Kubectl.Result status =
        kubectl.run(
            "patch",
            "nrp",
            "audit-only",
            "--subresource=status",
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/status/violations\",\"value\":2}]");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    Kubectl.Result main =
        kubectl.run(
            "patch",
            "nrp",
            "audit-only",
            "--type=merge",
            "-p",
            "{\"spec\":{\"mode\":\"Audit\"},\"status\":{\"matched\":99}}");
    assertThat(main.exitCode()).as(main.toString()).isZero();

    NonRootPolicy policy = client.resources(NonRootPolicy.class).withName("audit-only").get();
    assertThat(policy.getStatus().getViolations()).isEqualTo(2);
    assertThat(policy.getStatus().getMatched())
        .as("main-resource write ignores status")
        .isEqualTo(5);
    assertThat(policy.getSpec().getMode()).isEqualTo("Audit");
    assertThat(kubectl.run("get", "nrp", "audit-only").fields(1).subList(0, 6))
        .containsExactly("audit-only", "Audit", "5", "5", "0", "2");
  }

  @Test
  void applySetImagePatchAndScaleWorkOnBuiltInKinds() throws Exception {
    Path file = dir.resolve("api.yaml");
    String manifest = Files.readString(Path.of("src/test/resources/demo/deployment.yaml"));
    Files.writeString(file, manifest);

    Kubectl.Result created = kubectl.run("apply", "-f", file.toString(), "-n", "apply-test");
    assertThat(created.exitCode()).as("apply without --validate=false: " + created).isZero();
    Files.writeString(
        file, manifest.replace("replicas: 2", "replicas: 3").replace("nginx:1.27", "nginx:1.28"));
    Kubectl.Result configured = kubectl.run("apply", "-f", file.toString(), "-n", "apply-test");
    assertThat(configured.exitCode()).as(configured.toString()).isZero();
    assertThat(configured.stdout()).contains("deployment.apps/checkout configured");

    Kubectl.Result setImage =
        kubectl.run("set", "image", "deploy/checkout", "-n", "apply-test", "metrics=statsd:v2");
    assertThat(setImage.exitCode()).as(setImage.toString()).isZero();
    Kubectl.Result strategic =
        kubectl.run(
            "patch",
            "deploy",
            "checkout",
            "-n",
            "apply-test",
            "-p",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"securityContext\":{\"runAsNonRoot\":true}}]}}}}");
    assertThat(strategic.exitCode()).as(strategic.toString()).isZero();
    Kubectl.Result scaled =
        kubectl.run("scale", "deploy", "checkout", "-n", "apply-test", "--replicas=4");
    assertThat(scaled.exitCode()).as(scaled.toString()).isZero();

    Deployment deployment =
        client.apps().deployments().inNamespace("apply-test").withName("checkout").get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(4);
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers)
        .extracting(c -> c.getName() + "=" + c.getImage())
        .containsExactly("web=nginx:1.28", "metrics=statsd:v2");
    assertThat(containers.get(0).getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(containers.get(0).getPorts()).hasSize(1);
    assertThat(deployment.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains("kubectl-client-side-apply", "kubectl-set", "kubectl-patch");
    assertThat(deployment.getMetadata().getManagedFields())
        .filteredOn(e -> "scale".equals(e.getSubresource()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getManager())
                  .isEqualTo("kubectl"); // the User-Agent: scale sends no fieldManager
              assertThat(e.getFieldsV1().getAdditionalProperties())
                  .isEqualTo(Map.of("f:spec", Map.of("f:replicas", Map.of())));
            });
  }

  @Test
  void crdSchemaDefaultsAreAppliedLikeOnARealCluster() {
    NonRootPolicy policy = new NonRootPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("defaulted").build());
    policy.setSpec(new NonRootPolicySpec());
    client.resources(NonRootPolicy.class).resource(policy).create();

    assertThat(
            client.resources(NonRootPolicy.class).withName("defaulted").get().getSpec().getMode())
        .isEqualTo("Enforce");
    Kubectl.Result result = kubectl.run("get", "nrp", "defaulted");
    assertThat(result.fields(1).subList(0, 2)).containsExactly("defaulted", "Enforce");
  }

  @Test
  void unsupportedOperationsFailWithAClearMessage() {
    Kubectl.Result serverSide =
        kubectl.run(
            "apply",
            "--server-side",
            "-f",
            Path.of("src/test/resources/demo/deployment.yaml").toAbsolutePath().toString(),
            "-n",
            "shop");
    assertThat(serverSide.exitCode()).isNotZero();
    assertThat(serverSide.stderr()).contains("does not support server-side apply");

    Kubectl.Result watch = kubectl.run("get", "deploy", "-n", "shop", "-w");
    assertThat(watch.exitCode()).isNotZero();
    assertThat(watch.stderr()).contains("kubectl get -w is not supported");
  }

  @Test
  void everythingIsAuthorized() {
    Kubectl.Result result = kubectl.run("auth", "can-i", "patch", "deployments", "-n", "shop");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout().trim()).isEqualTo("yes");
  }

  private static final String WEB = "k:{\"name\":\"web\"}";
  private static final String[] RUN_AS_NON_ROOT = {
    "f:spec", "f:template", "f:spec", "f:containers", WEB, "f:securityContext", "f:runAsNonRoot"
  };

  /** What {@code kubectl get -o yaml --show-managed-fields} shows of a Deployment's managers. */
  private static JsonNode managedFields(String namespace, String name) throws Exception {
    Kubectl.Result shown =
        kubectl.run("get", "deploy", name, "-n", namespace, "-o", "yaml", "--show-managed-fields");
    assertThat(shown.exitCode()).as(shown.toString()).isZero();
    return YAML.readTree(shown.stdout()).at("/metadata/managedFields");
  }

  /** The managers whose fieldsV1 holds the path. */
  private static List<String> owners(JsonNode managedFields, String... path) {
    List<String> owners = new ArrayList<>();
    for (JsonNode entry : managedFields) {
      JsonNode node = entry.path("fieldsV1");
      for (String element : path) {
        node = node.path(element);
      }
      if (node.isObject() && (node.isEmpty() || node.has("."))) {
        owners.add(entry.path("manager").asText());
      }
    }
    return owners;
  }

  private static void createPolicy(
      String name, int matched, int compliant, int remediated, int violations) {
    NonRootPolicy policy = new NonRootPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    NonRootPolicySpec spec = new NonRootPolicySpec();
    spec.setMode("Enforce");
    policy.setSpec(spec);
    NonRootPolicy created = client.resources(NonRootPolicy.class).resource(policy).create();
    NonRootPolicyStatus status = new NonRootPolicyStatus();
    status.setMatched(matched);
    status.setCompliant(compliant);
    status.setRemediated(remediated);
    status.setViolations(violations);
    status.setObservedGeneration(created.getMetadata().getGeneration());
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Converged")
                .withMessage("all matched workloads evaluated")
                .withLastTransitionTime("2026-01-01T00:00:00Z")
                .withObservedGeneration(created.getMetadata().getGeneration())
                .build()));
    created.setStatus(status);
    NonRootPolicy updated = client.resources(NonRootPolicy.class).resource(created).updateStatus();
    assertThat(Objects.requireNonNull(updated.getStatus()).getMatched()).isEqualTo(matched);
  }

  private static void createDeployment(String namespace, String name, int replicas, int ready) {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(name)
            .withImage("nginx:1.27")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Deployment created =
        client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    created.setStatus(
        new DeploymentStatusBuilder()
            .withReplicas(replicas)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(ready)
            .withAvailableReplicas(ready)
            .build());
    client.apps().deployments().inNamespace(namespace).resource(created).updateStatus();
  }
}
