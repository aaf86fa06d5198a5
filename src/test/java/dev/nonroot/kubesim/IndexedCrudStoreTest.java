package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedded server's store answers from its index and keeps the fabric8 store's semantics. */
class IndexedCrudStoreTest {
  private static final int NAMESPACES = 10;
  private static final int PER_NAMESPACE = 20;

  private EmbeddedApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = EmbeddedApiServer.start(0);
    client = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void requestsLookOnlyAtTheObjectsTheyName() throws Exception {
    for (int n = 0; n < NAMESPACES; n++) {
      for (int i = 0; i < PER_NAMESPACE; i++) {
        client.resource(deployment("ns-" + n, "app-" + i, "app-" + i)).create();
        client.resource(configMap("ns-" + n, "cm-" + i)).create();
      }
    }
    List<String> events = new CopyOnWriteArrayList<>();
    IndexedCrudStore store = server.store();
    long before = store.comparisons();

    try (Watch watch = client.apps().deployments().inNamespace("ns-3").watch(recorder(events))) {
      client.apps().deployments().inNamespace("ns-3").withName("app-7").get();
      client
          .apps()
          .deployments()
          .inNamespace("ns-3")
          .withName("app-7")
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]");
      assertThat(client.apps().deployments().inNamespace("ns-3").list().getItems())
          .hasSize(PER_NAMESPACE);
      client.resource(deployment("ns-3", "late", "late")).create();
      client.apps().deployments().inNamespace("ns-3").withName("late").delete();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.containsAll(List.of("MODIFIED app-7", "DELETED late")));
    }

    // One namespace's 20 Deployments (watch replay and list), plus a handful of single lookups;
    // a scan would compare with all 400 objects on every request.
    assertThat(store.comparisons() - before).isLessThan(3 * PER_NAMESPACE);
    assertThat(store.fullScans()).isZero();
  }

  @Test
  void listsHonourLabelAndFieldSelectorsAcrossNamespaces() {
    client.resource(deployment("a", "web", "web")).create();
    client.resource(deployment("b", "web", "web")).create();
    client.resource(deployment("b", "db", "db")).create();

    assertThat(names(client.apps().deployments().inAnyNamespace().withLabel("app", "web").list()))
        .containsExactlyInAnyOrder("a/web", "b/web");
    assertThat(
            names(
                client
                    .apps()
                    .deployments()
                    .inAnyNamespace()
                    .withField("metadata.name", "db")
                    .list()))
        .containsExactly("b/db");
    assertThat(
            names(
                client
                    .apps()
                    .deployments()
                    .inAnyNamespace()
                    .withField("metadata.namespace", "a")
                    .list()))
        .containsExactly("a/web");
    assertThat(names(client.apps().deployments().inNamespace("b").withoutLabel("app", "db").list()))
        .containsExactly("b/web");
  }

  @Test
  void aWatchFromAResourceVersionSeesOnlyLaterChanges() throws Exception {
    client.resource(deployment("w", "old", "old")).create();
    String listed =
        client.apps().deployments().inNamespace("w").list().getMetadata().getResourceVersion();
    client.resource(deployment("w", "new", "new")).create();

    List<String> fromVersion = new CopyOnWriteArrayList<>();
    List<String> fromStart = new CopyOnWriteArrayList<>();
    try (Watch a =
            client
                .apps()
                .deployments()
                .inNamespace("w")
                .watch(
                    new ListOptionsBuilder().withResourceVersion(listed).build(),
                    recorder(fromVersion));
        Watch b = client.apps().deployments().inNamespace("w").watch(recorder(fromStart))) {
      client.resource(deployment("other", "elsewhere", "x")).create();
      client
          .apps()
          .deployments()
          .inNamespace("w")
          .withName("old")
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]");
      await().atMost(Duration.ofSeconds(10)).until(() -> fromVersion.contains("MODIFIED old"));
      await().atMost(Duration.ofSeconds(10)).until(() -> fromStart.contains("MODIFIED old"));
    }
    assertThat(fromVersion).containsExactly("ADDED new", "MODIFIED old");
    assertThat(fromStart).containsExactlyInAnyOrder("ADDED old", "ADDED new", "MODIFIED old");
  }

  @Test
  void staleWritesConflictAndOnlySpecChangesBumpTheGeneration() {
    Deployment created = client.resource(deployment("g", "web", "web")).create();
    Deployment labelled =
        client
            .apps()
            .deployments()
            .inNamespace("g")
            .withName("web")
            .edit(
                d ->
                    new DeploymentBuilder(d)
                        .editMetadata()
                        .addToLabels("x", "y")
                        .endMetadata()
                        .build());
    assertThat(labelled.getMetadata().getGeneration()).isEqualTo(1L);
    Deployment scaled =
        client
            .apps()
            .deployments()
            .inNamespace("g")
            .withName("web")
            .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(4).endSpec().build());
    assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);

    created.getSpec().setReplicas(7);
    assertThatThrownBy(() -> client.resource(created).update())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    assertThatThrownBy(() -> client.resource(deployment("g", "web", "web")).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
  }

  /**
   * A write that changes nothing keeps the resourceVersion; one that changes a long list is
   * compared in linear time (fabric8's diff is quadratic in a list's length: minutes for this one).
   */
  @Test
  void aWriteIsComparedWithTheStoredVersionInLinearTime() {
    Deployment d = deployment("big", "web", "web");
    List<EnvVar> env = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) env.add(new EnvVar("VAR_" + i, "value-" + i, null));
    d.getSpec().getTemplate().getSpec().getContainers().get(0).setEnv(env);
    Deployment created = client.resource(d).create();
    PatchContext json = new PatchContext.Builder().withPatchType(PatchType.JSON).build();
    var web = client.apps().deployments().inNamespace("big").withName("web");

    Deployment same =
        web.patch(json, "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":1}]");
    assertThat(same.getMetadata().getResourceVersion())
        .isEqualTo(created.getMetadata().getResourceVersion());
    assertThat(same.getMetadata().getGeneration()).isEqualTo(1L);

    long start = System.nanoTime();
    Deployment changed =
        web.patch(
            json,
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/env/19999/value\","
                + "\"value\":\"changed\"}]");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(changed.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
    // Metadata is not the spec: a new version, the same generation.
    Deployment labelled =
        web.patch(json, "[{\"op\":\"add\",\"path\":\"/metadata/labels/tier\",\"value\":\"web\"}]");
    assertThat(labelled.getMetadata().getResourceVersion())
        .isNotEqualTo(changed.getMetadata().getResourceVersion());
    assertThat(labelled.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void deletionWaitsForFinalizersAndCreatesNamespacesOnDemand() {
    client
        .resource(
            new ConfigMapBuilder(configMap("fresh", "held"))
                .editMetadata()
                .addToFinalizers("nonroot.dev/test")
                .endMetadata()
                .build())
        .create();
    assertThat(client.namespaces().withName("fresh").get()).isNotNull();

    client.configMaps().inNamespace("fresh").withName("held").delete();
    ConfigMap marked = client.configMaps().inNamespace("fresh").withName("held").get();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();

    client
        .configMaps()
        .inNamespace("fresh")
        .withName("held")
        .edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers().endMetadata().build());
    assertThat(client.configMaps().inNamespace("fresh").withName("held").get()).isNull();
    assertThat(client.configMaps().inNamespace("fresh").list().getItems()).isEmpty();
  }

  private static Watcher<Deployment> recorder(List<String> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        events.add(action + " " + d.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static List<String> names(DeploymentList list) {
    return list.getItems().stream()
        .map(d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())
        .toList();
  }

  private static Deployment deployment(String namespace, String name, String app) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels("app", app)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("nginx:1.27")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ConfigMap configMap(String namespace, String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .addToData("k", "v")
        .build();
  }
}
