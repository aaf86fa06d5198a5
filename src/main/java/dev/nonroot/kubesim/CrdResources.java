package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a CustomResourceDefinition (apiextensions.k8s.io/v1, as JSON) into the resource types it
 * serves: one per served version, printed like kube-apiserver prints custom resources (Name, then
 * the version's additionalPrinterColumns in the CRD's order, or Name and Age when there are none).
 */
final class CrdResources {
  private CrdResources() {}

  static List<ResourceType> from(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    String group = spec.path("group").asText("");
    String plural = names.path("plural").asText("");
    String kind = names.path("kind").asText("");
    if (group.isEmpty() || plural.isEmpty() || kind.isEmpty()) {
      return List.of();
    }
    String singular = names.path("singular").asText(kind.toLowerCase(Locale.ROOT));
    boolean namespaced = !"Cluster".equals(spec.path("scope").asText("Namespaced"));
    List<String> shortNames = texts(names.path("shortNames"));
    List<String> categories = texts(names.path("categories"));
    List<ResourceType> types = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      boolean status = version.at("/subresources/status").isObject();
      types.add(
          new ResourceType(
              group,
              version.path("name").asText(),
              plural,
              singular,
              kind,
              namespaced,
              shortNames,
              ResourceType.ALL_VERBS,
              categories,
              status,
              columns(version.path("additionalPrinterColumns")),
              true,
              version.at("/schema/openAPIV3Schema").isObject()
                  ? version.at("/schema/openAPIV3Schema")
                  : null));
    }
    return types;
  }

  /** The storage version, which discovery offers as the group's preferred version. */
  static String storageVersion(JsonNode crd) {
    for (JsonNode version : crd.at("/spec/versions")) {
      if (version.path("storage").asBoolean(false)) {
        return version.path("name").asText();
      }
    }
    JsonNode first = crd.at("/spec/versions/0/name");
    return first.isTextual() ? first.asText() : null;
  }

  static List<TableColumn> columns(JsonNode printerColumns) {
    if (!printerColumns.isArray() || printerColumns.isEmpty()) {
      return BuiltInColumns.nameAndAge();
    }
    List<TableColumn> columns = new ArrayList<>();
    columns.add(BuiltInColumns.name());
    for (JsonNode column : printerColumns) {
      String type = column.path("type").asText("string");
      TableColumn.Cell cell = cell(column.path("jsonPath").asText(""), type);
      columns.add(
          new TableColumn(
              column.path("name").asText(""),
              type,
              column.path("format").asText(""),
              column.path("description").asText(""),
              column.path("priority").asInt(0),
              cell));
    }
    return columns;
  }

  private static TableColumn.Cell cell(String jsonPath, String type) {
    PrinterJsonPath path;
    try {
      path = PrinterJsonPath.parse(jsonPath);
    } catch (IllegalArgumentException e) {
      return (o, c) ->
          NullNode.getInstance(); // a real API server refuses such a CRD; here the cell stays empty
    }
    return (o, clock) -> {
      List<JsonNode> results = path.select(o);
      return results.isEmpty() ? NullNode.getInstance() : value(type, results.get(0), clock);
    };
  }

  /**
   * Mirrors the API server: typed values for integer/number/boolean, an age for date, text
   * otherwise.
   */
  private static JsonNode value(String type, JsonNode value, Clock clock) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return NullNode.getInstance();
    }
    switch (type) {
      case "integer":
        return value.isNumber() ? LongNode.valueOf(value.asLong()) : NullNode.getInstance();
      case "number":
        if (value.isIntegralNumber()) {
          return LongNode.valueOf(value.asLong());
        }
        return value.isNumber() ? DoubleNode.valueOf(value.asDouble()) : NullNode.getInstance();
      case "boolean":
        return value.isBoolean() ? BooleanNode.valueOf(value.asBoolean()) : NullNode.getInstance();
      case "date":
        return value.isTextual()
            ? TextNode.valueOf(HumanDuration.since(value.asText(), clock))
            : NullNode.getInstance();
      default:
        return TextNode.valueOf(value.isValueNode() ? value.asText() : value.toString());
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
