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
    add(expected, "nonroot.dev", "nonrootpolicies", "list", "watch");
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

  private static void add(Set<String> into, String group, String resource, String... verbs) {
    for (String v : verbs) into.add(group + " " + resource + " " + v);
  }
}
