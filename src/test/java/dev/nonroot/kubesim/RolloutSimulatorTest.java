package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nonroot.api.Annotations;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the simulated controllers and kubelet report, as the operator and kubectl read it. */
class RolloutSimulatorTest {
  private static final Duration DELAY = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "shop";
  private static final String NGINX_FAILURE =
      "CrashLoopBackOff: nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (13:"
          + " Permission denied)";

  @TempDir Path dir;

  private EmbeddedApiServer server;
  private KubernetesClient client;
  private RolloutSimulator simulator;

  @BeforeEach
  void start() {
    server = EmbeddedApiServer.start(0);
    client = server.client();
  }

  @AfterEach
  void stop() {
    if (simulator != null) {
      simulator.close();
    }
    server.close();
  }

  @Test
  void deploymentRolloutReportsSuccessAndRunningPodsThatRunAsTheirRunAsUser() {
    simulate(DELAY);
    PodTemplateSpec template = template("web", Map.of());
    template.getSpec().setSecurityContext(podRunAs(1000L));
    template.getSpec().getContainers().get(1).setSecurityContext(containerRunAs(2000L));
    Deployment created = createDeployment("web", 2, template, Map.of());

    Deployment d = awaitObserved(created, 1);

    DeploymentStatus status = d.getStatus();
    assertThat(status.getReplicas()).isEqualTo(2);
    assertThat(status.getUpdatedReplicas()).isEqualTo(2);
    assertThat(status.getReadyReplicas()).isEqualTo(2);
    assertThat(status.getAvailableReplicas()).isEqualTo(2);
    DeploymentCondition available = condition(d, "Available");
    assertThat(available.getStatus()).isEqualTo("True");
    assertThat(available.getReason()).isEqualTo("MinimumReplicasAvailable");
    DeploymentCondition progressing = condition(d, "Progressing");
    assertThat(progressing.getStatus()).isEqualTo("True");
    assertThat(progressing.getReason()).isEqualTo("NewReplicaSetAvailable");
    assertThat(progressing.getMessage())
        .matches(
            "ReplicaSet \"web-[bcdfghjklmnpqrstvwxz2456789]+\" has successfully progressed\\.");

    List<Pod> pods = pods("app=web");
    assertThat(pods).hasSize(2);
    ReplicaSet rs = client.apps().replicaSets().inNamespace(NS).list().getItems().get(0);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
    assertThat(owner(rs).getUid()).isEqualTo(d.getMetadata().getUid());
    for (Pod pod : pods) {
      assertThat(pod.getMetadata().getName())
          .matches("web-" + hash + "-[bcdfghjklmnpqrstvwxz2456789]{5}");
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("app", "web")
          .containsEntry("tier", "front")
          .containsEntry("pod-template-hash", hash);
      assertThat(owner(pod).getKind()).isEqualTo("ReplicaSet");
      assertThat(owner(pod).getUid()).isEqualTo(rs.getMetadata().getUid());
      assertThat(pod.getSpec().getContainers())
          .extracting(c -> c.getImage())
          .containsExactly("nginx:1.27", "busybox:1.36");
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
      assertThat(ready(pod)).isTrue();
      ContainerStatus app = containerStatus(pod, "app");
      assertThat(app.getReady()).isTrue();
      assertThat(app.getStarted()).isTrue();
      assertThat(app.getRestartCount()).isZero();
      assertThat(app.getImage()).isEqualTo("nginx:1.27");
      assertThat(app.getState().getRunning()).isNotNull();
      assertThat(app.getUser().getLinux().getUid()).as("the pod's runAsUser").isEqualTo(1000L);
      assertThat(containerStatus(pod, "sidecar").getUser().getLinux().getUid())
          .as("the container's own runAsUser")
          .isEqualTo(2000L);
    }
  }

  @Test
  void withoutRunAsUserContainersRunAsTheImageUserFromTheAnnotation() {
    simulate(DELAY);
    Deployment created =
        createDeployment(
            "argocd-repo-server",
            1,
            template("argocd-repo-server", Map.of()),
            Map.of(RolloutSimulator.IMAGE_UID_ANNOTATION, "999"));

    awaitObserved(created, 1);

    Pod pod = pods("app=argocd-repo-server").get(0);
    assertThat(containerStatus(pod, "app").getUser().getLinux().getUid()).isEqualTo(999L);
    assertThat(containerStatus(pod, "app").getUser().getLinux().getGid()).isEqualTo(999L);
  }

  @Test
  void withoutRunAsUserOrImageUserContainersRunAsRoot() {
    simulate(DELAY);
    Deployment plain = createDeployment("plain", 1, template("plain", Map.of()), Map.of());
    Deployment unreadable =
        createDeployment(
            "unreadable",
            1,
            template("unreadable", Map.of()),
            Map.of(RolloutSimulator.IMAGE_UID_ANNOTATION, "nginx"));

    awaitObserved(plain, 1);
    awaitObserved(unreadable, 1);

    assertThat(containerStatus(pods("app=plain").get(0), "app").getUser().getLinux().getUid())
        .isZero();
    assertThat(containerStatus(pods("app=unreadable").get(0), "app").getUser().getLinux().getUid())
        .isZero();
  }

  @Test
  void statefulSetPodsAreOrdinalsOfOneRevision() {
    simulate(DELAY);
    StatefulSet created =
        client
            .apps()
            .statefulSets()
            .inNamespace(NS)
            .resource(
                new StatefulSetBuilder()
                    .withNewMetadata()
                    .withName("redis")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(3)
                    .withServiceName("redis")
                    .withNewSelector()
                    .addToMatchLabels("app", "redis")
                    .endSelector()
                    .withTemplate(template("redis", Map.of()))
                    .endSpec()
                    .build())
            .create();

    StatefulSet s = awaitObserved(created, 1);

    StatefulSetStatus status = s.getStatus();
    assertThat(status.getReplicas()).isEqualTo(3);
    assertThat(status.getReadyReplicas()).isEqualTo(3);
    assertThat(status.getCurrentReplicas()).isEqualTo(3);
    assertThat(status.getUpdatedReplicas()).isEqualTo(3);
    assertThat(status.getAvailableReplicas()).isEqualTo(3);
    assertThat(status.getUpdateRevision()).matches("redis-[bcdfghjklmnpqrstvwxz2456789]+");
    assertThat(status.getCurrentRevision()).isEqualTo(status.getUpdateRevision());
    List<Pod> pods = pods("app=redis");
    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("redis-0", "redis-1", "redis-2");
    for (Pod pod : pods) {
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("controller-revision-hash", status.getUpdateRevision())
          .containsEntry("statefulset.kubernetes.io/pod-name", pod.getMetadata().getName());
      assertThat(owner(pod).getUid()).isEqualTo(s.getMetadata().getUid());
      assertThat(ready(pod)).isTrue();
    }
  }

  @Test
  void daemonSetRunsOnePodOnTheOneNode() {
    simulate(DELAY);
    DaemonSet created = createDaemonSet("log-agent", template("log-agent", Map.of()), Map.of());

    DaemonSet ds = awaitObserved(created, 1);

    DaemonSetStatus status = ds.getStatus();
    assertThat(status.getDesiredNumberScheduled()).isEqualTo(1);
    assertThat(status.getCurrentNumberScheduled()).isEqualTo(1);
    assertThat(status.getUpdatedNumberScheduled()).isEqualTo(1);
    assertThat(status.getNumberReady()).isEqualTo(1);
    assertThat(status.getNumberAvailable()).isEqualTo(1);
    List<Pod> pods = pods("app=log-agent");
    assertThat(pods).hasSize(1);
    Pod pod = pods.get(0);
    assertThat(pod.getMetadata().getName()).matches("log-agent-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(pod.getMetadata().getLabels()).containsKey("controller-revision-hash");
    assertThat(owner(pod).getUid()).isEqualTo(ds.getMetadata().getUid());
    assertThat(pod.getSpec().getNodeName()).isNotBlank();
    assertThat(ready(pod)).isTrue();
  }

  @Test
  void failAnnotationFailsOnlyRolloutsOfATemplateTheOperatorChanged() {
    simulate(DELAY);
    Deployment created =
        createDeployment(
            "nginx",
            2,
            template("nginx", Map.of()),
            Map.of(RolloutSimulator.FAIL_ANNOTATION, NGINX_FAILURE));
    Deployment first = awaitObserved(created, 1);
    assertThat(condition(first, "Progressing").getReason())
        .as("the user's own template runs")
        .isEqualTo("NewReplicaSetAvailable");
    Set<String> before = names(pods("app=nginx"));

    // The operator's patch: a new runAsUser and the remediation label.
    editTemplate(
        created,
        t -> {
          t.getMetadata().getLabels().put(Annotations.REMEDIATION_LABEL, "r1");
          t.getSpec().setSecurityContext(podRunAs(65532L));
          return t;
        });
    Deployment failed = awaitObserved(created, 2);

    DeploymentStatus status = failed.getStatus();
    assertThat(status.getUpdatedReplicas()).isEqualTo(2);
    assertThat(status.getAvailableReplicas()).as("the old pods").isEqualTo(2);
    assertThat(status.getReadyReplicas()).isEqualTo(2);
    DeploymentCondition progressing = condition(failed, "Progressing");
    assertThat(progressing.getStatus()).isEqualTo("True");
    assertThat(progressing.getReason()).isEqualTo("ReplicaSetUpdated");
    assertThat(progressing.getMessage()).matches("ReplicaSet \"nginx-\\w+\" is progressing\\.");
    List<Pod> crashing = pods(Annotations.REMEDIATION_LABEL + "=r1");
    assertThat(crashing).hasSize(2);
    for (Pod pod : crashing) {
      assertThat(ready(pod)).isFalse();
      ContainerStatus app = containerStatus(pod, "app");
      assertThat(app.getReady()).isFalse();
      assertThat(app.getRestartCount()).isPositive();
      assertThat(app.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
      assertThat(app.getState().getWaiting().getMessage())
          .isEqualTo(
              "nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (13: Permission denied)");
      assertThat(app.getUser().getLinux().getUid()).isEqualTo(65532L);
    }
    assertThat(names(pods("app=nginx"))).as("old and new").containsAll(before).hasSize(4);

    // The operator's revert: the template as the user wrote it, without the label.
    editTemplate(
        created,
        t -> {
          t.getMetadata().getLabels().remove(Annotations.REMEDIATION_LABEL);
          t.getSpec().setSecurityContext(null);
          return t;
        });
    Deployment reverted = awaitObserved(created, 3);

    assertThat(condition(reverted, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
    assertThat(reverted.getStatus().getAvailableReplicas()).isEqualTo(2);
    List<Pod> after = pods("app=nginx");
    assertThat(after).hasSize(2).allMatch(RolloutSimulatorTest::ready);
    assertThat(pods(Annotations.REMEDIATION_LABEL + "=r1")).isEmpty();
    assertThat(after.get(0).getMetadata().getLabels().get("pod-template-hash"))
        .as("the first template's ReplicaSet, found again")
        .isEqualTo(hashOf(before));
  }

  @Test
  void failingStatefulSetAndDaemonSetRolloutsReportWhatTheOperatorFollows() {
    simulate(DELAY);
    StatefulSet sts =
        client
            .apps()
            .statefulSets()
            .inNamespace(NS)
            .resource(
                new StatefulSetBuilder()
                    .withNewMetadata()
                    .withName("db")
                    .addToAnnotations(
                        RolloutSimulator.FAIL_ANNOTATION,
                        "CreateContainerConfigError: container has runAsNonRoot and image will run as root")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(2)
                    .withNewSelector()
                    .addToMatchLabels("app", "db")
                    .endSelector()
                    .withTemplate(template("db", Map.of()))
                    .endSpec()
                    .build())
            .create();
    DaemonSet ds =
        createDaemonSet(
            "agent",
            template("agent", Map.of()),
            Map.of(RolloutSimulator.FAIL_ANNOTATION, NGINX_FAILURE));
    String currentRevision = awaitObserved(sts, 1).getStatus().getCurrentRevision();
    awaitObserved(ds, 1);

    UnaryOperator<PodTemplateSpec> remediate =
        t -> {
          t.getMetadata().getLabels().put(Annotations.REMEDIATION_LABEL, "r2");
          return t;
        };
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("db")
        .edit(
            s -> {
              remediate.apply(s.getSpec().getTemplate());
              return s;
            });
    client
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .withName("agent")
        .edit(
            d -> {
              remediate.apply(d.getSpec().getTemplate());
              return d;
            });

    StatefulSetStatus s = awaitObserved(sts, 2).getStatus();
    assertThat(s.getCurrentRevision()).isEqualTo(currentRevision);
    assertThat(s.getUpdateRevision()).isNotEqualTo(currentRevision);
    assertThat(s.getUpdatedReplicas()).isEqualTo(1);
    assertThat(s.getReadyReplicas()).isEqualTo(1);
    Pod replaced = pods("app=db," + Annotations.REMEDIATION_LABEL + "=r2").get(0);
    assertThat(replaced.getMetadata().getName()).isEqualTo("db-1");
    assertThat(replaced.getStatus().getPhase()).isEqualTo("Pending");
    ContainerStatus waiting = containerStatus(replaced, "app");
    assertThat(waiting.getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
    assertThat(waiting.getState().getWaiting().getMessage())
        .isEqualTo("container has runAsNonRoot and image will run as root");
    assertThat(waiting.getRestartCount()).isZero();
    assertThat(waiting.getUser()).as("a container that never ran reports no user").isNull();

    DaemonSetStatus d = awaitObserved(ds, 2).getStatus();
    assertThat(d.getUpdatedNumberScheduled()).isEqualTo(1);
    assertThat(d.getNumberReady()).isZero();
    assertThat(d.getNumberAvailable()).isNull(); // 0, left out as the API server does
    assertThat(pods("app=agent")).hasSize(1).noneMatch(RolloutSimulatorTest::ready);
  }

  @Test
  void aTemplateChangeReplacesTheOldPods() {
    simulate(DELAY);
    Deployment created = createDeployment("api", 3, template("api", Map.of()), Map.of());
    awaitObserved(created, 1);
    Set<String> before = names(pods("app=api"));

    editTemplate(
        created,
        t -> {
          t.getSpec().getContainers().get(0).setImage("nginx:1.28");
          return t;
        });
    awaitObserved(created, 2);

    List<Pod> after = pods("app=api");
    assertThat(after).hasSize(3).allMatch(RolloutSimulatorTest::ready);
    assertThat(names(after)).doesNotContainAnyElementsOf(before);
    assertThat(after)
        .allSatisfy(
            p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.28"));
    assertThat(hashOf(names(after))).isNotEqualTo(hashOf(before));
  }

  @Test
  void aStatusSomeoneElseWroteForTheGenerationWins() {
    // Long enough to write a status by hand before it ends, as with kubectl patch --subresource.
    simulate(Duration.ofSeconds(1));
    Deployment created = createDeployment("checkout", 1, template("checkout", Map.of()), Map.of());
    awaitObserved(created, 1);
    Set<String> before = names(pods("app=checkout"));

    editTemplate(
        created,
        t -> {
          t.getSpec().getContainers().get(0).setImage("nginx:1.28");
          return t;
        });
    DeploymentStatus byHand =
        new DeploymentStatusBuilder()
            .withObservedGeneration(2L)
            .withReplicas(1)
            .withUpdatedReplicas(1)
            .withConditions(
                new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("ReplicaSet \"checkout-x\" has timed out progressing.")
                    .build())
            .build();
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("checkout")
        .editStatus(
            d -> {
              d.setStatus(byHand);
              return d;
            });

    await()
        .during(Duration.ofMillis(1500))
        .atMost(WAIT)
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(NS).withName("checkout").get();
              return condition(d, "Progressing").getReason().equals("ProgressDeadlineExceeded")
                  && names(pods("app=checkout")).equals(before);
            });
  }

  @Test
  void aMalformedFailAnnotationIsAllMessageWithReasonCrashLoopBackOff() {
    simulate(DELAY);
    Map<String, String> remediated = Map.of(Annotations.REMEDIATION_LABEL, "r3");
    Deployment prose =
        createDeployment(
            "prose",
            1,
            template("prose", remediated),
            Map.of(RolloutSimulator.FAIL_ANNOTATION, "it just: does not start"));
    Deployment empty =
        createDeployment(
            "empty",
            1,
            template("empty", remediated),
            Map.of(RolloutSimulator.FAIL_ANNOTATION, ""));

    awaitObserved(prose, 1);
    awaitObserved(empty, 1);

    ContainerStatus p = containerStatus(pods("app=prose").get(0), "app");
    assertThat(p.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(p.getState().getWaiting().getMessage()).isEqualTo("it just: does not start");
    ContainerStatus e = containerStatus(pods("app=empty").get(0), "app");
    assertThat(e.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(e.getState().getWaiting().getMessage()).startsWith("back-off ");
  }

  @Test
  void podsListedByTheRemediationLabelAreThoseOfThatRolloutOnly() {
    simulate(DELAY);
    Deployment a = createDeployment("a", 2, template("a", Map.of()), Map.of());
    Deployment b = createDeployment("b", 1, template("b", Map.of()), Map.of());
    awaitObserved(a, 1);
    awaitObserved(b, 1);

    editTemplate(a, labelled("rollout-a"));
    editTemplate(b, labelled("rollout-b"));
    awaitObserved(a, 2);
    awaitObserved(b, 2);

    List<Pod> ofA =
        client
            .pods()
            .inAnyNamespace()
            .withLabel(Annotations.REMEDIATION_LABEL, "rollout-a")
            .list()
            .getItems();
    assertThat(ofA).hasSize(2).allMatch(p -> p.getMetadata().getName().startsWith("a-"));
    assertThat(pods("app=a")).hasSize(2);

    editTemplate(a, labelled("rollout-a2"));
    awaitObserved(a, 3);
    assertThat(pods(Annotations.REMEDIATION_LABEL + "=rollout-a")).isEmpty();
    assertThat(pods(Annotations.REMEDIATION_LABEL + "=rollout-a2")).hasSize(2);
  }

  @Test
  void deletingAWorkloadDeletesItsPods() {
    simulate(DELAY);
    Deployment d = createDeployment("gone", 2, template("gone", Map.of()), Map.of());
    DaemonSet ds = createDaemonSet("gone-too", template("gone-too", Map.of()), Map.of());
    awaitObserved(d, 1);
    awaitObserved(ds, 1);
    assertThat(pods("app=gone")).hasSize(2);

    client.apps().deployments().inNamespace(NS).withName("gone").delete();
    client.apps().daemonSets().inNamespace(NS).withName("gone-too").delete();

    await()
        .atMost(WAIT)
        .until(
            () ->
                pods("app=gone").isEmpty()
                    && pods("app=gone-too").isEmpty()
                    && client.apps().replicaSets().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void aRolloutTheServerRefusesDoesNotStopTheOthers() {
    server
        .mockServer()
        .expect()
        .post()
        .withPath("/api/v1/namespaces/broken/pods")
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd is down").build())
        .always();
    simulate(DELAY);
    Deployment broken =
        client
            .apps()
            .deployments()
            .inNamespace("broken")
            .resource(
                new DeploymentBuilder()
                    .withNewMetadata()
                    .withName("broken")
                    .endMetadata()
                    .withNewSpec()
                    .withNewSelector()
                    .addToMatchLabels("app", "broken")
                    .endSelector()
                    .withTemplate(template("broken", Map.of()))
                    .endSpec()
                    .build())
            .create();
    Deployment fine = createDeployment("fine", 1, template("fine", Map.of()), Map.of());

    awaitObserved(fine, 1);
    editTemplate(fine, labelled("later"));
    awaitObserved(fine, 2);

    Deployment stored = client.resource(broken).get();
    assertThat(stored.getStatus().getObservedGeneration())
        .as("no status for a rollout whose pods could not be made")
        .isNull();
  }

  @Test
  void kubectlShowsTheWaitingPodsAndTheDeploymentAsOnACluster() {
    assumeTrue(Kubectl.onPath(), "kubectl is not on the PATH");
    simulate(DELAY);
    Deployment created =
        createDeployment(
            "nginx",
            1,
            template("nginx", Map.of(Annotations.REMEDIATION_LABEL, "r4")),
            Map.of(RolloutSimulator.FAIL_ANNOTATION, NGINX_FAILURE));
    awaitObserved(created, 1);
    Kubectl kubectl = new Kubectl(server.writeKubeconfig(dir.resolve("kubeconfig")), dir);

    Kubectl.Result pods =
        kubectl.run("get", "pods", "-n", NS, "-l", Annotations.REMEDIATION_LABEL + "=r4");

    assertThat(pods.exitCode()).as(pods.toString()).isZero();
    assertThat(pods.fields(0)).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
    assertThat(pods.lines()).hasSize(2);
    assertThat(pods.fields(1).subList(1, 4)).containsExactly("0/2", "CrashLoopBackOff", "6");
    Kubectl.Result deploy = kubectl.run("get", "deploy", "nginx", "-n", NS);
    assertThat(deploy.fields(1).subList(0, 4)).containsExactly("nginx", "0/1", "1", "0");
  }

  // --- helpers

  private void simulate(Duration delay) {
    simulator = new RolloutSimulator(client, Clock.systemUTC(), delay).start();
  }

  /** Two containers, app (nginx) and sidecar (busybox), labelled app=NAME and tier=front. */
  private static PodTemplateSpec template(String app, Map<String, String> extraLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", app);
    labels.put("tier", "front");
    labels.putAll(extraLabels);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("nginx:1.27")
        .endContainer()
        .addNewContainer()
        .withName("sidecar")
        .withImage("busybox:1.36")
        .endContainer()
        .endSpec()
        .build();
  }

  private Deployment createDeployment(
      String name, int replicas, PodTemplateSpec template, Map<String, String> annotations) {
    return client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withTemplate(template)
                .endSpec()
                .build())
        .create();
  }

  private DaemonSet createDaemonSet(
      String name, PodTemplateSpec template, Map<String, String> annotations) {
    return client
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withTemplate(template)
                .endSpec()
                .build())
        .create();
  }

  private void editTemplate(Deployment d, UnaryOperator<PodTemplateSpec> change) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(d.getMetadata().getName())
        .edit(
            current -> {
              current.getSpec().setTemplate(change.apply(current.getSpec().getTemplate()));
              return current;
            });
  }

  private static PodSecurityContext podRunAs(long uid) {
    return new PodSecurityContextBuilder().withRunAsUser(uid).build();
  }

  private static SecurityContext containerRunAs(long uid) {
    return new SecurityContextBuilder().withRunAsUser(uid).build();
  }

  private static UnaryOperator<PodTemplateSpec> labelled(String remediation) {
    return t -> {
      t.getMetadata().getLabels().put(Annotations.REMEDIATION_LABEL, remediation);
      return t;
    };
  }

  /** The workload once its status speaks for that generation. */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> T awaitObserved(T workload, long generation) {
    return await()
        .atMost(WAIT)
        .until(
            () -> (T) client.resource(workload).get(),
            w -> w != null && Long.valueOf(generation).equals(observedGeneration(w)));
  }

  private static Long observedGeneration(HasMetadata w) {
    if (w instanceof Deployment d) {
      return d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    }
    if (w instanceof StatefulSet s) {
      return s.getStatus() == null ? null : s.getStatus().getObservedGeneration();
    }
    DaemonSet ds = (DaemonSet) w;
    return ds.getStatus() == null ? null : ds.getStatus().getObservedGeneration();
  }

  private List<Pod> pods(String selector) {
    return client.pods().inNamespace(NS).withLabels(labels(selector)).list().getItems();
  }

  /** {@code a=1,b=2} as a map. */
  private static Map<String, String> labels(String selector) {
    return List.of(selector.split(",")).stream()
        .map(s -> s.split("=", 2))
        .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
  }

  private static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  /** The pod-template-hash in Deployment pod names {@code <deploy>-<hash>-<rand5>}. */
  private static String hashOf(Set<String> podNames) {
    String name = podNames.iterator().next();
    String[] parts = name.split("-");
    return parts[parts.length - 2];
  }

  private static DeploymentCondition condition(Deployment d, String type) {
    return d.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition: " + d.getStatus()));
  }

  private static ContainerStatus containerStatus(Pod pod, String container) {
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> container.equals(c.getName()))
        .findFirst()
        .orElseThrow();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static OwnerReference owner(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .filter(r -> Boolean.TRUE.equals(r.getController()))
        .findFirst()
        .orElseThrow();
  }
}
