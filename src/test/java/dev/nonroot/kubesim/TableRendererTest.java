package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableRendererTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:10:00Z"), ZoneOffset.UTC);

  @Test
  void findsTheTableMediaTypeKubectlAsksFor() {
    assertThat(
            TableRenderer.requestedVersion(
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"))
        .hasValue("v1");
    assertThat(TableRenderer.requestedVersion("application/json;as=Table;v=v1beta1;g=meta.k8s.io"))
        .hasValue("v1beta1");
    assertThat(TableRenderer.requestedVersion("application/json")).isEmpty();
    assertThat(
            TableRenderer.requestedVersion(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"))
        .isEmpty();
    assertThat(TableRenderer.requestedVersion(null)).isEmpty();
  }

  @Test
  void keepsTheCrdsColumnOrderAndTypesTheCells() throws Exception {
    JsonNode columns =
        JSON.readTree(
            """
        [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
         {"name": "Ready", "type": "string", "priority": 1, "jsonPath": ".status.conditions[?(@.type==\\"Ready\\")].status"},
         {"name": "Count", "type": "integer", "jsonPath": ".status.count"},
         {"name": "Ratio", "type": "number", "format": "float", "jsonPath": ".status.ratio"},
         {"name": "On", "type": "boolean", "jsonPath": ".spec.on"},
         {"name": "Missing", "type": "string", "jsonPath": ".status.nothing"}]
        """);
    JsonNode object =
        JSON.readTree(
            """
        {"metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:05:00Z", "managedFields": [{}]},
         "spec": {"on": true},
         "status": {"count": 4, "ratio": 0.5, "conditions": [{"type": "Ready", "status": "True"}]}}
        """);

    JsonNode table =
        new TableRenderer(CLOCK)
            .render(
                CrdResources.columns(columns),
                List.of(object),
                "7",
                TableRenderer.IncludeObject.METADATA,
                "v1");

    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Age", "Ready", "Count", "Ratio", "On", "Missing");
    assertThat(table.at("/columnDefinitions/0/format").asText()).isEqualTo("name");
    assertThat(table.at("/columnDefinitions/2/priority").asInt()).isEqualTo(1);
    assertThat(table.at("/columnDefinitions/4/format").asText()).isEqualTo("float");
    assertThat(table.at("/rows/0/cells").toString())
        .isEqualTo("[\"x\",\"5m\",\"True\",4,0.5,true,null]");
    assertThat(table.at("/rows/0/object/kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(table.at("/rows/0/object/metadata").has("managedFields")).isFalse();
    assertThat(table.at("/metadata/resourceVersion").asText()).isEqualTo("7");
  }

  @Test
  void printsNameAndAgeWithoutPrinterColumns() throws Exception {
    JsonNode object =
        JSON.readTree(
            "{\"metadata\": {\"name\": \"x\", \"creationTimestamp\": \"2026-01-01T00:09:30Z\"}}");

    JsonNode table =
        new TableRenderer(CLOCK)
            .render(
                CrdResources.columns(JSON.readTree("[]")),
                List.of(object),
                "",
                TableRenderer.IncludeObject.NONE,
                "v1");

    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Age");
    assertThat(table.at("/rows/0/cells").toString()).isEqualTo("[\"x\",\"30s\"]");
    assertThat(table.at("/rows/0").has("object")).isFalse();
  }
}
