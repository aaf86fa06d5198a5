package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrategicMergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String DEPLOYMENT =
      """
      {"metadata": {"name": "web", "finalizers": ["a"], "labels": {"app": "web", "old": "x"}},
       "spec": {"replicas": 2, "template": {"spec": {
         "securityContext": {"runAsUser": 0},
         "containers": [
           {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}, {"containerPort": 443}],
            "env": [{"name": "A", "value": "1"}], "args": ["--a", "--b"]},
           {"name": "side", "image": "busybox"}]}}}}
      """;

  @Test
  void mergesContainersByNameAndReplacesPlainLists() {
    JsonNode result =
        patch(
            """
        {"spec": {"template": {"spec": {"containers": [
          {"name": "side", "image": "busybox:1.36"},
          {"name": "web", "env": [{"name": "B", "value": "2"}], "args": ["--c"],
           "securityContext": {"runAsNonRoot": true}}]}}}}
        """);

    JsonNode containers = result.at("/spec/template/spec/containers");
    assertThat(containers).hasSize(2);
    assertThat(containers.get(0).path("image").asText()).isEqualTo("nginx:1.27");
    assertThat(containers.get(0).path("env").findValuesAsText("name")).containsExactly("A", "B");
    assertThat(containers.get(0).path("args").toString()).isEqualTo("[\"--c\"]");
    assertThat(containers.get(0).at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(containers.get(0).path("ports")).hasSize(2);
    assertThat(containers.get(1).path("image").asText()).isEqualTo("busybox:1.36");
  }

  @Test
  void honoursDeleteReplaceAndOrderDirectives() {
    JsonNode result =
        patch(
            """
        {"metadata": {"labels": {"old": null}, "finalizers": ["b"]},
         "spec": {"template": {"spec": {
           "securityContext": {"$patch": "delete"},
           "$setElementOrder/containers": [{"name": "side"}, {"name": "web"}],
           "containers": [{"name": "web", "ports": [{"containerPort": 443, "$patch": "delete"}],
                           "$setElementOrder/ports": [{"containerPort": 80}]}]}}}}
        """);

    assertThat(result.at("/metadata/labels").toString()).isEqualTo("{\"app\":\"web\"}");
    assertThat(result.at("/metadata/finalizers").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(result.at("/spec/template/spec").has("securityContext")).isFalse();
    assertThat(names(result.at("/spec/template/spec/containers"))).containsExactly("side", "web");
    assertThat(result.at("/spec/template/spec/containers/1/ports").toString())
        .isEqualTo("[{\"containerPort\":80}]");

    JsonNode replaced =
        patch(
            """
        {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}}}
        """);
    assertThat(names(replaced.at("/spec/template/spec/containers"))).containsExactly("only");
  }

  @Test
  void retainKeysDropsUnlistedFields() {
    JsonNode result =
        patch(
            """
        {"spec": {"template": {"spec": {"securityContext": {"$retainKeys": ["runAsNonRoot"], "runAsNonRoot": true}}}}}
        """);
    assertThat(result.at("/spec/template/spec/securityContext").toString())
        .isEqualTo("{\"runAsNonRoot\":true}");
  }

  @Test
  void mergesServicePortsByPort() throws Exception {
    JsonNode service =
        JSON.readTree(
            "{\"spec\": {\"ports\": [{\"port\": 80, \"targetPort\": 80}, {\"port\": 443}]}}");
    JsonNode result =
        StrategicMergePatch.apply(
            service,
            JSON.readTree("{\"spec\": {\"ports\": [{\"port\": 80, \"targetPort\": 8080}]}}"));
    assertThat(result.at("/spec/ports").toString())
        .isEqualTo("[{\"port\":80,\"targetPort\":8080},{\"port\":443}]");
  }

  private static List<String> names(JsonNode containers) {
    List<String> names = new ArrayList<>();
    containers.forEach(c -> names.add(c.path("name").asText()));
    return names;
  }

  private static JsonNode patch(String patch) {
    try {
      JsonNode original = JSON.readTree(DEPLOYMENT);
      JsonNode result = StrategicMergePatch.apply(original, JSON.readTree(patch));
      assertThat(original).as("target untouched").isEqualTo(JSON.readTree(DEPLOYMENT));
      return result;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
