package dev.nonroot.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * crds/ must be exactly what the Java model generates, and the schema must say what the docs say.
 */
class CrdDriftTest {
  private static final Path COMMITTED = Path.of(CrdLayout.COMMITTED);

  @Test
  void committedCrdMatchesTheModel() throws Exception {
    String expected = CrdLayout.render();
    if (Boolean.getBoolean("nonroot.updateCrds")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, expected, StandardCharsets.UTF_8);
    }
    assertThat(COMMITTED).exists();
    assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
        .as(
            "crds/ differs from the model; regenerate with: mvn -B test -Dtest=CrdDriftTest -Dnonroot.updateCrds=true")
        .isEqualTo(expected);
  }

  @Test
  void crdIsClusterScopedWithShortNameAndStatusSubresource() throws Exception {
    JsonNode crd = committed();
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(crd.at("/spec/group").asText()).isEqualTo("nonroot.dev");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("nrp");
    JsonNode v = crd.at("/spec/versions/0");
    assertThat(v.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(v.path("subresources").has("status")).isTrue();
  }

  @Test
  void printerColumnsAreInTheDocumentedOrder() throws Exception {
    JsonNode cols = committed().at("/spec/versions/0/additionalPrinterColumns");
    List<String> normal = new ArrayList<>();
    List<String> wide = new ArrayList<>();
    cols.forEach(
        c -> (c.path("priority").asInt() == 0 ? normal : wide).add(c.path("name").asText()));
    assertThat(normal)
        .containsExactly("Mode", "Matched", "Compliant", "Remediated", "Violations", "Age");
    assertThat(wide).contains("NeedsRoot", "Exempt", "Failed", "Ready");
    assertThat(cols.get(1).path("jsonPath").asText()).isEqualTo(".status.matched");
  }

  @Test
  void schemaCarriesEnumsDefaultsAndValidation() throws Exception {
    JsonNode spec =
        committed().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
    assertThat(texts(spec.at("/mode/enum"))).containsExactlyInAnyOrder("Enforce", "Audit");
    assertThat(spec.at("/mode/default").asText()).isEqualTo("Enforce");
    assertThat(texts(spec.at("/needsRoot/enum"))).containsExactlyInAnyOrder("Report", "Remediate");
    assertThat(texts(spec.at("/gitops/enum")))
        .containsExactlyInAnyOrder("Skip", "Report", "Enforce");
    assertThat(spec.at("/gitops/default").asText()).isEqualTo("Report");
    assertThat(texts(spec.at("/ports/properties/strategy/enum")))
        .containsExactlyInAnyOrder("Auto", "Remap", "Sysctl", "Keep");
    assertThat(spec.at("/ports/properties/strategy/default").asText()).isEqualTo("Auto");
    assertThat(spec.at("/ports/properties/offset/default").asInt()).isEqualTo(8000);
    assertThat(spec.at("/ports/properties/offset/minimum").asInt()).isEqualTo(1024);
    assertThat(spec.at("/securityContext/properties/runAsUser/minimum").asInt()).isEqualTo(1);
    assertThat(spec.at("/securityContext/properties/runAsUser/default").asLong()).isEqualTo(65532);
    assertThat(texts(spec.at("/securityContext/properties/runAsUserFrom/enum")))
        .containsExactlyInAnyOrder("Image", "Policy");
    assertThat(spec.at("/securityContext/properties/runAsUserFrom/default").asText())
        .isEqualTo("Image");
    assertThat(spec.at("/securityContext/properties/fsGroup/minimum").asInt()).isEqualTo(1);
    assertThat(spec.at("/securityContext/properties/fsGroup").has("default")).isFalse();
    assertThat(texts(spec.at("/securityContext/properties/seccompProfile/enum")))
        .containsExactlyInAnyOrder("RuntimeDefault", "Unmanaged");
    assertThat(spec.at("/ports/properties/map/x-kubernetes-validations/0/rule").asText())
        .contains("1023", "1024");
    // The accepted kinds come from the WorkloadKind table, not from a hand-written list.
    assertThat(texts(spec.at("/match/properties/kinds/items/enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(WorkloadKind.values()).map(Enum::name).toList());
  }

  @Test
  void everyIntegerOfTheSpecIsBounded() throws Exception {
    JsonNode spec = committed().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> unbounded = new ArrayList<>();
    List<String> integers = new ArrayList<>();
    walk(spec, "spec", integers, unbounded);
    assertThat(integers)
        .contains(
            "spec.priority",
            "spec.ports.offset",
            "spec.securityContext.runAsUser",
            "spec.securityContext.fsGroup");
    assertThat(unbounded).as("integers without minimum and maximum").isEmpty();
    assertThat(spec.at("/properties/priority/minimum").asInt())
        .isEqualTo(NonRootPolicySpec.MIN_PRIORITY);
    assertThat(spec.at("/properties/priority/maximum").asInt())
        .isEqualTo(NonRootPolicySpec.MAX_PRIORITY);
  }

  @Test
  void capabilityNamesHaveAPatternAndSelectorOperatorsAnEnum() throws Exception {
    JsonNode spec =
        committed().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
    for (String list : List.of("dropCapabilities", "keepCapabilities")) {
      assertThat(spec.at("/securityContext/properties/" + list + "/items/pattern").asText())
          .isEqualTo(SecurityContextSpec.CAPABILITY_NAME);
    }
    for (String selector : List.of("selector", "namespaceSelector")) {
      assertThat(
              texts(
                  spec.at(
                      "/match/properties/"
                          + selector
                          + "/properties/matchExpressions/items/properties/operator/enum")))
          .containsExactlyInAnyOrder("In", "NotIn", "Exists", "DoesNotExist");
    }
  }

  private static void walk(JsonNode schema, String path, List<String> ints, List<String> bad) {
    if ("integer".equals(schema.path("type").asText())) {
      ints.add(path);
      if (!schema.has("minimum") || !schema.has("maximum")) bad.add(path);
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(e -> walk(e.getValue(), path + "." + e.getKey(), ints, bad));
    if (schema.has("items")) walk(schema.get("items"), path + "[]", ints, bad);
    if (schema.path("additionalProperties").isObject())
      walk(schema.get("additionalProperties"), path + "{}", ints, bad);
  }

  private static JsonNode committed() throws Exception {
    return new YAMLMapper().readTree(COMMITTED.toFile());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
