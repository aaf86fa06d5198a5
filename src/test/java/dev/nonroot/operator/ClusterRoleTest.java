package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nonroot.api.WorkloadKind;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The ClusterRole grants exactly what the operator's code uses: for every kind the WorkloadKind
 * table watches, list/watch/patch; nothing else, no wildcards, no secrets.
 */
class ClusterRoleTest {
  private static final Path ROLE = Path.of("manifests/cluster-role.yaml");

  @Test
  void grantsExactlyWhatTheOperatorUses() throws Exception {
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

    assertThat(granted()).containsExactlyElementsOf(expected);
  }

  private static Set<String> granted() throws Exception {
    JsonNode role = new ObjectMapper(new YAMLFactory()).readTree(ROLE.toFile());
    assertThat(role.path("kind").asText()).isEqualTo("ClusterRole");
    Set<String> out = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      assertThat(rule.has("resourceNames")).as("rules name resources, not objects").isFalse();
      for (JsonNode g : rule.path("apiGroups")) {
        for (JsonNode r : rule.path("resources")) {
          for (JsonNode v : rule.path("verbs"))
            out.add(g.asText() + " " + r.asText() + " " + v.asText());
        }
      }
    }
    assertThat(out).noneMatch(s -> s.contains("*")).noneMatch(s -> s.contains("secrets"));
    return out;
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
    return granted().contains(group + " " + resource + " " + verb);
  }

  private static void add(Set<String> into, String group, String resource, String... verbs) {
    for (String v : verbs) into.add(group + " " + resource + " " + v);
  }
}
