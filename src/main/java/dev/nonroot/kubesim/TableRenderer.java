package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the {@code meta.k8s.io} Table that {@code kubectl get} asks for with {@code Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io}. kubectl prints the cells as given, hides columns
 * with priority above 0 unless {@code -o wide}, and takes namespace and labels from each row's
 * object.
 */
final class TableRenderer {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** What each row carries besides its cells: the request's {@code includeObject} parameter. */
  enum IncludeObject {
    NONE,
    METADATA,
    OBJECT;

    static IncludeObject parse(String value) {
      if (value == null || value.isEmpty()) {
        return METADATA;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "none" -> NONE;
        case "object" -> OBJECT;
        default -> METADATA;
      };
    }
  }

  private final Clock clock;

  TableRenderer(Clock clock) {
    this.clock = clock;
  }

  /**
   * The meta.k8s.io version of the first Table media type in an Accept header ({@code
   * application/json;as=Table;v=v1;g=meta.k8s.io, ...}), or empty when no Table is wanted.
   */
  static Optional<String> requestedVersion(String accept) {
    if (accept == null) {
      return Optional.empty();
    }
    for (String mediaType : accept.split(",")) {
      String as = null;
      String group = null;
      String version = null;
      for (String param : mediaType.split(";")) {
        String[] kv = param.trim().split("=", 2);
        if (kv.length == 2) {
          switch (kv[0].trim()) {
            case "as" -> as = kv[1].trim();
            case "g" -> group = kv[1].trim();
            case "v" -> version = kv[1].trim();
            default -> {}
          }
        }
      }
      if ("Table".equals(as) && "meta.k8s.io".equals(group)) {
        return Optional.of(version == null || version.isEmpty() ? "v1" : version);
      }
    }
    return Optional.empty();
  }

  /**
   * @param tableVersion "v1" or "v1beta1" of meta.k8s.io, whichever the client asked for first
   */
  ObjectNode render(
      List<TableColumn> columns,
      List<JsonNode> objects,
      String resourceVersion,
      IncludeObject include,
      String tableVersion) {
    String apiVersion = "meta.k8s.io/" + tableVersion;
    ObjectNode table = JSON.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", apiVersion);
    ObjectNode metadata = table.putObject("metadata");
    if (resourceVersion != null && !resourceVersion.isEmpty()) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (TableColumn column : columns) {
      ObjectNode def = definitions.addObject();
      def.put("name", column.name());
      def.put("type", column.type());
      def.put("format", column.format() == null ? "" : column.format());
      def.put("description", column.description() == null ? "" : column.description());
      def.put("priority", column.priority());
    }
    ArrayNode rows = table.putArray("rows");
    // kube-apiserver lists in storage key order: namespace, then name.
    List<JsonNode> sorted = new ArrayList<>(objects);
    sorted.sort(
        Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText(""))
            .thenComparing(o -> o.path("metadata").path("name").asText("")));
    for (JsonNode object : sorted) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (TableColumn column : columns) {
        JsonNode value;
        try {
          value = column.cell().of(object, clock);
        } catch (RuntimeException e) {
          value = null; // a malformed object shows <none> instead of failing the whole listing
        }
        cells.add(value == null ? JSON.nullNode() : value);
      }
      switch (include) {
        case OBJECT -> row.set("object", object);
        case METADATA -> row.set("object", partialObjectMetadata(object, apiVersion));
        case NONE -> {}
      }
    }
    return table;
  }

  private static ObjectNode partialObjectMetadata(JsonNode object, String apiVersion) {
    ObjectNode partial = JSON.objectNode();
    partial.put("kind", "PartialObjectMetadata");
    partial.put("apiVersion", apiVersion);
    JsonNode metadata = object.path("metadata");
    ObjectNode copy = metadata.isObject() ? ((ObjectNode) metadata).deepCopy() : JSON.objectNode();
    copy.remove("managedFields");
    partial.set("metadata", copy);
    return partial;
  }
}
