package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.WorkloadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The ClusterRole grants exactly what the operator's code uses: for every kind the WorkloadKind
 * table watches, list/watch/patch; nothing else, no wildcards, no secrets. The leader-election Role
 * grants the Lease verbs and nothing else, in the operator's namespace only. No other role is
 * shipped, and each is bound to the operator's ServiceAccount alone.
 */
class ClusterRoleTest {
  static final String NAMESPACE = "nonroot-system";
  static final String LEASE = LeaderElection.DEFAULT_LEASE_NAME;

  @Test
  void grantsExactlyWhatTheOperatorUses() {
    Set<String> expected = new TreeSet<>();
    // patch: the finalizer of a policy with spec.onDelete: Revert.
    add(expected, "nonroot.dev", "nonrootpolicies", "list", "watch", "patch");
    add(expected, "nonroot.dev", "nonrootpolicies/status", "patch");
    for (WorkloadKind k : WorkloadKind.watchedKinds()) {
      add(expected, k.group(), k.plural(), "list", "watch", "patch");
    }
    add(expected, "", "services", "list", "watch", "patch");
    add(expected, "", "namespaces", "list", "watch");
    add(expected, "networking.k8s.io", "networkpolicies", "list", "watch");
    add(expected, "", "pods", "list");
    add(expected, "", "events", "create", "patch");

    JsonNode role = Manifests.only("ClusterRole");
    for (JsonNode rule : role.path("rules")) {
      assertThat(rule.has("resourceNames")).as("rules name resources, not objects").isFalse();
    }
    assertThat(safe(Manifests.grants(role))).containsExactlyElementsOf(expected);
  }

  /**
   * The Lease: create (no name: it does not exist yet), and get, update and patch of that one
   * Lease. LeaderElectionTest checks that these are the verbs the leader elector sends, plus the
   * update JOSDK's start-up check asks for.
   */
  @Test
  void theLeaderElectionRoleGrantsOnlyTheLeaseInTheOperatorsNamespace() {
    JsonNode role = Manifests.only("Role");
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(safe(Manifests.grants(role)))
        .containsExactly(
            "coordination.k8s.io leases create",
            "coordination.k8s.io leases get name=" + LEASE,
            "coordination.k8s.io leases patch name=" + LEASE,
            "coordination.k8s.io leases update name=" + LEASE);
  }

  @Test
  void eachRoleIsBoundToTheOperatorsServiceAccountOnly() {
    JsonNode clusterBinding = Manifests.only("ClusterRoleBinding");
    assertThat(clusterBinding.path("roleRef").path("kind").asText()).isEqualTo("ClusterRole");
    assertThat(clusterBinding.path("roleRef").path("name").asText())
        .isEqualTo(Manifests.only("ClusterRole").path("metadata").path("name").asText());
    assertBoundToTheServiceAccount(clusterBinding);

    JsonNode binding = Manifests.only("RoleBinding");
    assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
    assertThat(binding.path("roleRef").path("name").asText())
        .isEqualTo(Manifests.only("Role").path("metadata").path("name").asText());
    assertBoundToTheServiceAccount(binding);
  }

  private static void assertBoundToTheServiceAccount(JsonNode binding) {
    List<String> subjects = new ArrayList<>();
    for (JsonNode s : binding.path("subjects")) {
      subjects.add(
          s.path("kind").asText()
              + " "
              + s.path("namespace").asText()
              + "/"
              + s.path("name").asText());
    }
    assertThat(subjects).containsExactly("ServiceAccount " + NAMESPACE + "/nonroot-operator");
  }

  private static Set<String> safe(Set<String> grants) {
    assertThat(grants)
        .noneMatch(s -> s.contains("*"))
        .noneMatch(s -> s.contains("secrets"))
        .noneMatch(s -> s.contains("pods/"));
    return grants;
  }

  /**
   * Whether the ClusterRole lets the operator send {@code request}: its group, resource (with
   * subresource) and verb, as the API server's authorizer reads them from the path.
   */
  static boolean grants(RequestLog.Request request) throws Exception {
    String path = request.path();
    String group;
    String rest;
    if (path.startsWith("/api/v1/")) {
      group = "";
      rest = path.substring("/api/v1/".length());
    } else {
      String[] apis = path.split("/", 5);
      if (apis.length < 5 || !apis[1].equals("apis")) return false;
      group = apis[2];
      rest = apis[4];
    }
    String[] s = rest.split("/");
    int at = s[0].equals("namespaces") && s.length >= 3 ? 2 : 0;
    String resource = s[at];
    String name = s.length > at + 1 ? s[at + 1] : null;
    if (s.length > at + 2) resource += "/" + s[at + 2];
    String verb =
        switch (request.method()) {
          case "GET" -> name != null ? "get" : request.isWatch() ? "watch" : "list";
          case "POST" -> "create";
          case "PATCH" -> "patch";
          case "PUT" -> "update";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> request.method();
        };
    return Manifests.grants(Manifests.only("ClusterRole"))
        .contains(group + " " + resource + " " + verb);
  }

  private static void add(Set<String> into, String group, String resource, String... verbs) {
    for (String v : verbs) into.add(group + " " + resource + " " + v);
  }
}
