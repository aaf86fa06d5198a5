package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.record.ChangeRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.LeaderElectionManager;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas against one API server, as manifests/ runs them: only the Lease holder writes; when
 * it stops, the standby takes the Lease once it expires and finishes the work, patching nothing
 * twice.
 */
class LeaderElectionTest extends OperatorTestBase {
  /** A Lease's times (MicroTime): RFC 3339 with microseconds. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX");

  private static final int WORKLOADS = 16;
  private static final String NAMESPACE = ClusterRoleTest.NAMESPACE;

  /** Short timings, so that the takeover fits a test; the shape is the production one. */
  private static final LeaderElection ELECTION =
      LeaderElection.in(ClusterRoleTest.LEASE, NAMESPACE)
          .withTimings(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));

  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/shop/deployments/";
  private static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE;
  private static final String REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  private static final Map<String, String> VERBS =
      Map.of("GET", "get", "POST", "create", "PUT", "update", "PATCH", "patch");

  private OperatorHarness second;

  @AfterEach
  void stopSecond() {
    if (second != null) second.close();
  }

  @Test
  void onlyTheLeaderWritesAndTheStandbyFinishesTheWorkWhenItStops() throws Exception {
    grantWhatTheRoleGrants();
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");

    OperatorHarness first = harness.start(settings("replica-a"));
    NonRootOperator leader = first.operator();
    await().atMost(Duration.ofSeconds(20)).until(() -> leader.leadership().leading());
    second = harness.another().start(settings("replica-b"));
    NonRootOperator standby = second.operator();

    // A standby is live and ready (a PodDisruptionBudget and a rolling update count it), knows
    // who leads, and waits.
    assertThat(standby.ready()).isTrue();
    assertThat(standby.leadership().leading()).isFalse();
    assertThat(standby.leadership().role()).isEqualTo("standby");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "replica-a".equals(standby.leadership().leader()));

    assertThat(standby.metrics().render()).contains(OperatorMetrics.LEADER + " 0.0");
    assertThat(leader.metrics().render()).contains(OperatorMetrics.LEADER + " 1.0");

    // Both replicas see the workloads come; the leader is part-way through (two patches a
    // second).
    for (int i = 0; i < WORKLOADS; i++) client.resource(rootDeployment("app-" + i)).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> patches(first) >= 3);
    assertThat(second.requests.matching(r -> r.isWrite() && !r.path().equals(REVIEWS)))
        .as("a standby writes nothing: no patch, no status, no event, not even the Lease")
        .isEmpty();

    first.stop();
    long stoppedAt = System.nanoTime();
    long patchedByFirst = patches(first);
    int requestsOfFirst = first.requests.matching(r -> true).size();
    assertThat(patchedByFirst).as("stopped part-way through").isLessThan(WORKLOADS);

    // The stopped leader released the Lease (no holder, one second) before stop returned: the
    // standby takes it at its next (jittered) retry, not a lease duration later.
    Lease released =
        client.resources(Lease.class).inNamespace(NAMESPACE).withName(ClusterRoleTest.LEASE).get();
    assertThat(released.getSpec().getHolderIdentity()).isIn("", "replica-b");
    Duration bound = ELECTION.longestRetry().plusSeconds(2);
    await().atMost(bound).until(() -> standby.leadership().leading());
    Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
    assertThat(takeover).isLessThanOrEqualTo(bound);

    harness.settledStatus(
        "baseline", s -> s.getRemediated() == WORKLOADS && s.getCompliant() == WORKLOADS);

    assertThat(first.requests.matching(r -> true))
        .as("the stopped leader is silent")
        .hasSize(requestsOfFirst);
    assertThat(patches(second))
        .as("the new leader patched the rest")
        .isEqualTo(WORKLOADS - patchedByFirst);
    for (int i = 0; i < WORKLOADS; i++) {
      String path = DEPLOYMENTS + "app-" + i;
      assertThat(first.requests.writesTo(path) + second.requests.writesTo(path))
          .as("writes to %s by both replicas", path)
          .isEqualTo(1);
      Deployment d = client.apps().deployments().inNamespace("shop").withName("app-" + i).get();
      List<ChangeRecord.Entry> entries =
          ChangeRecord.parse(d.getMetadata().getAnnotations().get(Annotations.CHANGES)).entries();
      assertThat(entries).as("record of app-%d", i).isNotEmpty();
      assertThat(entries)
          .as("each change recorded once")
          .allSatisfy(e -> assertThat(e.times()).isEqualTo(1))
          .extracting(ChangeRecord.Entry::place)
          .doesNotHaveDuplicates();
    }
    // Events are best-effort: the stop may cut off the one after the leader's last patch.
    Predicate<RequestLog.Request> eventCreate =
        r -> r.method().equals("POST") && r.path().endsWith("/events");
    assertThat(first.requests.count(eventCreate))
        .as("Remediated events by the first leader")
        .isLessThanOrEqualTo(patchedByFirst);
    assertThat(second.requests.count(eventCreate))
        .as("one Remediated event per workload the new leader patched, none for the others")
        .isEqualTo(WORKLOADS - patchedByFirst);
    List<RequestLog.Request> all = new ArrayList<>(first.requests.matching(r -> true));
    all.addAll(second.requests.matching(r -> true));
    assertLeaseVerbsGranted(all);
  }

  /**
   * A leader that finds the Lease taken (its renewal came too late, another replica took it over)
   * stops itself at once: `run` then exits, and Kubernetes restarts the pod as a standby.
   */
  @Test
  void aLeaderThatLosesTheLeaseStopsWriting() throws Exception {
    grantWhatTheRoleGrants();
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    NonRootOperator instance = harness.start(settings("replica-a")).operator();
    await().atMost(Duration.ofSeconds(10)).until(() -> instance.leadership().leading());

    // Taken over, as by a replica that saw the Lease expire: a JSON patch, no version check.
    client
        .resources(Lease.class)
        .inNamespace(NAMESPACE)
        .withName(ClusterRoleTest.LEASE)
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\": \"replace\", \"path\": \"/spec/holderIdentity\", \"value\": \"replica-x\"},"
                + " {\"op\": \"replace\", \"path\": \"/spec/renewTime\", \"value\": \""
                + ZonedDateTime.now(ZoneOffset.UTC).format(MICRO_TIME)
                + "\"}]");

    await()
        .atMost(ELECTION.longestRetry().plusSeconds(2))
        .until(() -> instance.leadership().lost().isDone());
    assertThat(instance.leadership().leading()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> !instance.ready());
    long writes = harness.requests.count(RequestLog.Request::isWrite);
    for (int i = 0; i < 3; i++) client.resource(rootDeployment("app-" + i)).create();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> harness.requests.count(RequestLog.Request::isWrite) == writes);
  }

  /** JOSDK will not start without update on the Lease (the operator releases it with one). */
  @Test
  void withoutUpdateOnTheLeaseTheOperatorDoesNotStart() throws Exception {
    grantWhatTheRoleGrantsBut("update");
    harness.apply("/operator/policy-enforce-unbudgeted.yaml");
    assertThatThrownBy(() -> harness.start(settings("replica-a")))
        .rootCause()
        .hasMessageStartingWith(LeaderElectionManager.NO_PERMISSION_TO_LEASE_RESOURCE_MESSAGE)
        .hasMessageEndingWith("missing required verbs: [update]");
  }

  /** The verbs the two replicas sent on the Lease are exactly what the Role grants. */
  private void assertLeaseVerbsGranted(List<RequestLog.Request> requests) {
    Set<String> used = new TreeSet<>();
    for (RequestLog.Request r : requests) {
      if (!r.path().startsWith(LEASES)) continue;
      String name = r.path().substring((LEASES + "/leases").length()).replaceFirst("^/", "");
      used.add(
          "coordination.k8s.io leases "
              + VERBS.get(r.method())
              + (name.isEmpty() ? "" : " name=" + name));
    }
    Set<String> granted = Manifests.grants(Manifests.only("Role"));
    assertThat(granted).containsAll(used);
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    assertThat(unused).as("granted but never sent").isEmpty();
  }

  private NonRootOperator.Settings settings(String identity) {
    return NonRootOperator.Settings.defaults()
        .withIdentity(identity)
        .withResyncPeriod(Duration.ofMinutes(10))
        .withPatchesPerSecond(2)
        .withLeaderElection(ELECTION);
  }

  private static long patches(OperatorHarness h) {
    return h.requests.count(r -> r.method().equals("PATCH") && r.path().startsWith(DEPLOYMENTS));
  }

  /**
   * JOSDK asks with a SelfSubjectRulesReview whether it may use the Lease before it starts; the
   * mock answers with the rules of manifests/' Role, so a Role without a verb JOSDK checks fails
   * here as it would on a cluster.
   */
  private void grantWhatTheRoleGrants() {
    grantWhatTheRoleGrantsBut("");
  }

  private void grantWhatTheRoleGrantsBut(String verb) {
    List<ResourceRule> rules = new ArrayList<>();
    for (JsonNode rule : Manifests.only("Role").path("rules")) {
      List<String> verbs = texts(rule.path("verbs"));
      verbs.remove(verb);
      rules.add(
          new ResourceRuleBuilder()
              .withApiGroups(texts(rule.path("apiGroups")))
              .withResources(texts(rule.path("resources")))
              .withResourceNames(texts(rule.path("resourceNames")))
              .withVerbs(verbs)
              .build());
    }
    SelfSubjectRulesReview review =
        new SelfSubjectRulesReviewBuilder()
            .withNewSpec()
            .withNamespace(NAMESPACE)
            .endSpec()
            .withNewStatus()
            .withResourceRules(rules)
            .withIncomplete(false)
            .endStatus()
            .build();
    server.expect().post().withPath(REVIEWS).andReturn(201, review).always();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Deployment rootDeployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
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
        .withImage("busybox:1.36")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
