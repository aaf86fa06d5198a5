package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.api.NonRootPolicy;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The NonRootPolicy CRD as shipped (crds/, printer columns in the model's order). Falls back to the
 * generated one, whose columns crd-generator sorts by JSONPath, put back in the model's order.
 */
final class NonRootPolicyCrd {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private NonRootPolicyCrd() {}

  static CustomResourceDefinition load() {
    try (InputStream shipped =
        NonRootPolicyCrd.class.getResourceAsStream("/crds/nonrootpolicies.nonroot.dev-v1.yml")) {
      if (shipped != null) {
        return SERIALIZATION.unmarshal(
            YAML.readTree(shipped).toString(), CustomResourceDefinition.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (InputStream generated =
        NonRootPolicyCrd.class.getResourceAsStream(
            "/META-INF/fabric8/nonrootpolicies.nonroot.dev-v1.yml")) {
      if (generated == null) {
        throw new IllegalStateException(
            "no NonRootPolicy CRD on the classpath: run mvn process-classes");
      }
      JsonNode crd = YAML.readTree(generated);
      for (JsonNode version : crd.at("/spec/versions")) {
        ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
        List<JsonNode> ordered = new ArrayList<>();
        for (AdditionalPrinterColumn c :
            NonRootPolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class)) {
          columns.forEach(
              col -> {
                if (col.path("name").asText().equals(c.name())) {
                  ordered.add(col);
                }
              });
        }
        columns.removeAll();
        columns.addAll(ordered);
      }
      return SERIALIZATION.unmarshal(crd.toString(), CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
