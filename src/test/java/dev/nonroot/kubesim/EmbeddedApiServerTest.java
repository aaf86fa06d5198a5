package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over plain HTTP and through the fabric8 client, without kubectl. */
class EmbeddedApiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KUBECTL_DISCOVERY_ACCEPT =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
          + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
  private static final String KUBECTL_TABLE_ACCEPT =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EmbeddedApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = EmbeddedApiServer.start(0);
    client = server.client();
    server.installCrd(NonRootPolicyCrd.load());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void listensOnLoopbackAndQuietsTheMockLogging() {
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    assertThat(Logger.getLogger("io.fabric8.mockwebserver").getLevel()).isEqualTo(Level.WARNING);
  }

  @Test
  void servesDiscoveryForAnyQueryStringAsLegacyJson() throws Exception {
    HttpResponse<String> version = get("/version?timeout=5s", "application/json");
    assertThat(json(version).path("minor").asText()).isEqualTo("32");

    HttpResponse<String> api = get("/api?timeout=32s", KUBECTL_DISCOVERY_ACCEPT);
    assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json(api).path("kind").asText()).isEqualTo("APIVersions");

    JsonNode core = json(get("/api/v1?timeout=32s", "application/json"));
    assertThat(names(core))
        .contains(
            "namespaces",
            "services",
            "pods",
            "pods/status",
            "events",
            "configmaps",
            "serviceaccounts");
    assertThat(resource(core, "services").path("shortNames").get(0).asText()).isEqualTo("svc");
    assertThat(resource(core, "namespaces").path("namespaced").asBoolean()).isFalse();

    JsonNode groups = json(get("/apis?timeout=32s", KUBECTL_DISCOVERY_ACCEPT));
    List<String> groupNames = new ArrayList<>();
    groups.path("groups").forEach(g -> groupNames.add(g.path("name").asText()));
    assertThat(groupNames)
        .contains(
            "apps",
            "batch",
            "events.k8s.io",
            "networking.k8s.io",
            "coordination.k8s.io",
            "apiextensions.k8s.io",
            "nonroot.dev");

    JsonNode apps = json(get("/apis/apps/v1?timeout=32s", "application/json"));
    assertThat(names(apps))
        .contains("deployments", "deployments/status", "statefulsets", "daemonsets", "replicasets");
    assertThat(resource(apps, "deployments").path("verbs").toString()).contains("patch", "watch");
    assertThat(resource(apps, "statefulsets").path("shortNames").get(0).asText()).isEqualTo("sts");

    // The operator watches NetworkPolicies; kubectl finds them as on a cluster.
    JsonNode networking = json(get("/apis/networking.k8s.io/v1?timeout=32s", "application/json"));
    assertThat(resource(networking, "networkpolicies").path("shortNames").get(0).asText())
        .isEqualTo("netpol");
    assertThat(resource(networking, "networkpolicies").path("kind").asText())
        .isEqualTo("NetworkPolicy");

    JsonNode policies =
        resource(
            json(get("/apis/nonroot.dev/v1alpha1?timeout=32s", "application/json")),
            "nonrootpolicies");
    assertThat(policies.path("kind").asText()).isEqualTo("NonRootPolicy");
    assertThat(policies.path("singularName").asText()).isEqualTo("nonrootpolicy");
    assertThat(policies.path("namespaced").asBoolean()).isFalse();
    assertThat(policies.path("shortNames").get(0).asText()).isEqualTo("nrp");
    assertThat(names(json(get("/apis/nonroot.dev/v1alpha1", "application/json"))))
        .contains("nonrootpolicies/status");

    assertThat(get("/apis/nowhere.example/v1?timeout=32s", "application/json").statusCode())
        .isEqualTo(404);
  }

  @Test
  void answersTableRequestsWithTheCrdsPrinterColumns() throws Exception {
    createPolicy("baseline");

    JsonNode table =
        json(get("/apis/nonroot.dev/v1alpha1/nonrootpolicies?limit=500", KUBECTL_TABLE_ACCEPT));

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    List<String> columns = new ArrayList<>();
    table
        .path("columnDefinitions")
        .forEach(c -> columns.add(c.path("name").asText() + ":" + c.path("priority").asInt()));
    assertThat(columns)
        .startsWith(
            "Name:0", "Mode:0", "Matched:0", "Compliant:0", "Remediated:0", "Violations:0", "Age:0")
        .contains("Ready:1", "Reason:1");
    JsonNode row = table.at("/rows/0");
    assertThat(row.at("/cells/0").asText()).isEqualTo("baseline");
    assertThat(row.at("/cells/1").asText()).isEqualTo("Enforce");
    assertThat(row.at("/cells/2").isIntegralNumber()).isTrue();
    assertThat(row.at("/cells/2").asInt()).isEqualTo(3);
    assertThat(row.at("/cells/6").asText()).matches("\\d+s");
    assertThat(row.at("/object/kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(row.at("/object/apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(row.at("/object/metadata/name").asText()).isEqualTo("baseline");

    JsonNode withObject =
        json(
            get(
                "/apis/nonroot.dev/v1alpha1/nonrootpolicies/baseline?includeObject=Object",
                KUBECTL_TABLE_ACCEPT));
    assertThat(withObject.at("/rows/0/object/kind").asText()).isEqualTo("NonRootPolicy");
    assertThat(withObject.at("/rows/0/object/status/matched").asInt()).isEqualTo(3);

    JsonNode plain = json(get("/apis/nonroot.dev/v1alpha1/nonrootpolicies", "application/json"));
    assertThat(plain.path("kind").asText()).isEqualTo("NonRootPolicyList");
    assertThat(plain.at("/items/0/status/compliant").asInt()).isEqualTo(1);
  }

  @Test
  void printsBuiltInKindsAndFallsBackToNameAndAge() throws Exception {
    deployment("shop", "web");
    client
        .configMaps()
        .inNamespace("shop")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "2")
                .build())
        .create();

    JsonNode deployments = json(get("/apis/apps/v1/deployments?limit=500", KUBECTL_TABLE_ACCEPT));
    List<String> columns = new ArrayList<>();
    deployments.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns).startsWith("Name", "Ready", "Up-to-date", "Available", "Age");
    assertThat(deployments.at("/rows/0/cells/1").asText()).isEqualTo("1/2");
    assertThat(deployments.at("/rows/0/object/metadata/namespace").asText()).isEqualTo("shop");

    JsonNode configMaps = json(get("/api/v1/namespaces/shop/configmaps", KUBECTL_TABLE_ACCEPT));
    assertThat(configMaps.at("/rows/0/cells/1").asInt()).isEqualTo(2);

    JsonNode namespaces = json(get("/api/v1/namespaces", KUBECTL_TABLE_ACCEPT));
    assertThat(namespaces.path("rows").findValuesAsText("name")).contains("default", "shop");
  }

  @Test
  void keepsStatusApartFromSpecForBuiltInKinds() {
    Deployment created = deployment("shop", "web");

    Deployment edited =
        client
            .apps()
            .deployments()
            .inNamespace("shop")
            .withName("web")
            .edit(
                d -> {
                  d.getSpec().setReplicas(5);
                  d.setStatus(null);
                  return d;
                });
    assertThat(edited.getSpec().getReplicas()).isEqualTo(5);
    assertThat(edited.getStatus().getReadyReplicas())
        .as("a main-resource patch keeps status")
        .isEqualTo(1);

    Deployment replaced = client.apps().deployments().inNamespace("shop").resource(edited).update();
    assertThat(replaced.getStatus().getReadyReplicas())
        .as("a main-resource PUT keeps status")
        .isEqualTo(1);

    replaced.getSpec().setReplicas(9);
    replaced.getStatus().setReadyReplicas(4);
    Deployment statusWritten =
        client.apps().deployments().inNamespace("shop").resource(replaced).updateStatus();
    assertThat(statusWritten.getStatus().getReadyReplicas()).isEqualTo(4);
    assertThat(statusWritten.getSpec().getReplicas())
        .as("a status write ignores spec")
        .isEqualTo(5);
    assertThat(statusWritten.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(statusWritten.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
  }

  @Test
  void mergePatchReplacesListsAndDeletesNulls() {
    ConfigMap created =
        client
            .configMaps()
            .inNamespace("default")
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("c")
                    .addToLabels("keep", "yes")
                    .addToLabels("drop", "yes")
                    .endMetadata()
                    .addToData("x", "1")
                    .build())
            .create();
    Deployment deployment = deployment("shop", "two-containers");
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).hasSize(2);

    client
        .configMaps()
        .inNamespace("default")
        .withName("c")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"drop\":null}},\"data\":{\"y\":\"2\"}}");
    client
        .apps()
        .deployments()
        .inNamespace("shop")
        .withName("two-containers")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.28\"}]}}}}");

    ConfigMap patched = client.configMaps().inNamespace("default").withName("c").get();
    assertThat(patched.getMetadata().getLabels()).containsExactly(Map.entry("keep", "yes"));
    assertThat(patched.getData()).containsOnly(Map.entry("x", "1"), Map.entry("y", "2"));
    assertThat(patched.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("two-containers")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo("nginx:1.28"));
  }

  @Test
  void statusWritesToACustomResourceWorkThroughPutAndMergePatch() {
    NonRootPolicy created = createPolicy("p");
    NonRootPolicyStatus status = created.getStatus();
    status.setViolations(7);
    created.setStatus(status);

    NonRootPolicy patched = client.resources(NonRootPolicy.class).resource(created).patchStatus();

    assertThat(patched.getStatus().getViolations()).isEqualTo(7);
    assertThat(patched.getStatus().getConditions()).isEmpty();
    NonRootPolicy stored = client.resources(NonRootPolicy.class).withName("p").get();
    assertThat(stored.getStatus().getViolations()).isEqualTo(7);
    assertThat(stored.getStatus().getMatched()).isEqualTo(3);
    assertThat(stored.getMetadata().getManagedFields())
        .anySatisfy(e -> assertThat(e.getSubresource()).isEqualTo("status"));
  }

  @Test
  void aFailingJsonPatchTestOpIsRejectedRatherThanLeftUnanswered() {
    deployment("shop", "web");

    assertThatThrownBy(
            () ->
                client
                    .apps()
                    .deployments()
                    .inNamespace("shop")
                    .withName("web")
                    .patch(
                        PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":7}]"))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
  }

  @Test
  void informersSeeChangesThroughWebSocketWatches() {
    SharedIndexInformer<Deployment> informer =
        client.apps().deployments().inAnyNamespace().inform();
    try {
      deployment("watched", "web");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> informer.getStore().getByKey("watched/web") != null);
      client
          .apps()
          .deployments()
          .inNamespace("watched")
          .withName("web")
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> informer.getStore().getByKey("watched/web").getSpec().getReplicas() == 4);
    } finally {
      informer.close();
    }
  }

  @Test
  void recordedExpectationsAreServedBeforeTheStore() {
    deployment("shop", "web");
    server
        .mockServer()
        .expect()
        .patch()
        .withPath("/apis/apps/v1/namespaces/shop/deployments/web")
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("injected").build())
        .once();

    assertThatThrownBy(
            () ->
                client
                    .apps()
                    .deployments()
                    .inNamespace("shop")
                    .withName("web")
                    .patch(
                        PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("injected");
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("web")
                .patch(
                    PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]")
                .getSpec()
                .getReplicas())
        .isEqualTo(4);
  }

  @Test
  void installingACrdAgainReplacesIt() {
    server.installCrd(NonRootPolicyCrd.load());

    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .singleElement()
        .satisfies(
            crd ->
                assertThat(crd.getStatus().getConditions())
                    .anySatisfy(
                        c ->
                            assertThat(c.getType() + "=" + c.getStatus())
                                .isEqualTo("Established=True")));
  }

  @Test
  void aBusyPortFailsWithOneLine() {
    assertThatThrownBy(() -> EmbeddedApiServer.start(server.port()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + server.port() + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void writesAKubeconfigForThePlainHttpServer(@TempDir Path dir) throws IOException {
    Path file = server.writeKubeconfig(dir.resolve("sub/kubeconfig"));

    String text = Files.readString(file);
    assertThat(text).contains("server: " + server.url(), "current-context: nonroot-demo");
    assertThat(text).doesNotContain("token", "certificate");
  }

  private NonRootPolicy createPolicy(String name) {
    NonRootPolicy policy = new NonRootPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    NonRootPolicySpec spec = new NonRootPolicySpec();
    spec.setMode("Enforce");
    policy.setSpec(spec);
    NonRootPolicy created = client.resources(NonRootPolicy.class).resource(policy).create();
    NonRootPolicyStatus status = new NonRootPolicyStatus();
    status.setMatched(3);
    status.setCompliant(1);
    status.setRemediated(2);
    status.setViolations(0);
    created.setStatus(status);
    return client.resources(NonRootPolicy.class).resource(created).updateStatus();
  }

  private Deployment deployment(String namespace, String name) {
    Deployment created =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .resource(
                new DeploymentBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(2)
                    .withNewSelector()
                    .addToMatchLabels("app", name)
                    .endSelector()
                    .withNewTemplate()
                    .withNewMetadata()
                    .addToLabels("app", name)
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("app")
                    .withImage("nginx:1.27")
                    .endContainer()
                    .addNewContainer()
                    .withName("sidecar")
                    .withImage("busybox")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build())
            .create();
    created.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(1).build());
    return client.apps().deployments().inNamespace(namespace).resource(created).updateStatus();
  }

  private HttpResponse<String> get(String path, String accept)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Accept", accept)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static List<String> names(JsonNode resourceList) {
    List<String> names = new ArrayList<>();
    resourceList.path("resources").forEach(r -> names.add(r.path("name").asText()));
    return names;
  }

  private static JsonNode resource(JsonNode resourceList, String name) {
    for (JsonNode r : resourceList.path("resources")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError(name + " not in " + resourceList);
  }
}
