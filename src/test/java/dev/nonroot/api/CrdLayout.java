package dev.nonroot.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces the committed CRD from the one crd-generator-maven-plugin writes. The generator sorts
 * printer columns by JSONPath; kubectl shows them in CRD order, so they are put back in the order
 * the model declares them. Nothing else is touched.
 */
final class CrdLayout {
  static final String GENERATED = "META-INF/fabric8/nonrootpolicies.nonroot.dev-v1.yml";
  static final String COMMITTED = "crds/nonrootpolicies.nonroot.dev-v1.yml";
  static final String HEADER =
      "# Generated from dev.nonroot.api.NonRootPolicy by crd-generator-maven-plugin; do not edit.\n"
          + "# Regenerate: mvn -B test -Dtest=CrdDriftTest -Dnonroot.updateCrds=true\n";

  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build())
          .build();

  private CrdLayout() {}

  static String render() throws IOException {
    JsonNode crd;
    try (InputStream in = CrdLayout.class.getClassLoader().getResourceAsStream(GENERATED)) {
      if (in == null)
        throw new IllegalStateException(GENERATED + " is missing: run mvn process-classes");
      crd = YAML.readTree(in);
    }
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
      List<JsonNode> ordered = new ArrayList<>();
      for (AdditionalPrinterColumn c :
          NonRootPolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class)) {
        for (JsonNode col : columns) {
          if (col.path("name").asText().equals(c.name())) ordered.add(col);
        }
      }
      if (ordered.size() != columns.size())
        throw new IllegalStateException("printer columns do not match the model");
      columns.removeAll();
      columns.addAll(ordered);
    }
    ((ObjectNode) crd.get("metadata")).remove("annotations");
    return HEADER + YAML.writeValueAsString(crd);
  }
}
