package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Skeleton OpenAPI v3 documents: no schemas, only each resource's PATCH operation declaring the
 * {@code fieldValidation} query parameter. That is what kubectl 1.32 looks for before a create or
 * apply; finding it, kubectl leaves validation to the server (which, here, does none) instead of
 * failing with "failed to download openapi" unless run with --validate=false.
 */
final class OpenApiDocuments {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String ROOT = "/openapi/v3";

  private final ResourceCatalog catalog;

  OpenApiDocuments(ResourceCatalog catalog) {
    this.catalog = catalog;
  }

  /** {@code /openapi/v3}: one entry per group-version, its URL carrying a hash of the document. */
  ObjectNode root() {
    ObjectNode root = JSON.objectNode();
    ObjectNode paths = root.putObject("paths");
    for (String groupVersionPath : groupVersionPaths()) {
      groupVersion(groupVersionPath)
          .ifPresent(
              document ->
                  paths
                      .putObject(groupVersionPath)
                      .put(
                          "serverRelativeURL",
                          ROOT
                              + "/"
                              + groupVersionPath
                              + "?hash="
                              + Integer.toHexString(document.toString().hashCode())));
    }
    return root;
  }

  /**
   * {@code /openapi/v3/api/v1} or {@code /openapi/v3/apis/<group>/<version>}; empty when unknown.
   */
  Optional<ObjectNode> document(String path) {
    if (!path.startsWith(ROOT + "/")) {
      return Optional.empty();
    }
    return groupVersion(path.substring(ROOT.length() + 1));
  }

  private Set<String> groupVersionPaths() {
    Set<String> paths = new LinkedHashSet<>();
    for (ResourceType type : catalog.all()) {
      paths.add(prefix(type));
    }
    return paths;
  }

  private Optional<ObjectNode> groupVersion(String groupVersionPath) {
    List<ResourceType> types =
        catalog.all().stream()
            .filter(t -> prefix(t).equals(groupVersionPath) && t.verbs().contains("patch"))
            .toList();
    if (types.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = JSON.objectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", DiscoveryDocuments.GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : types) {
      String path =
          "/"
              + prefix(t)
              + (t.namespaced() ? "/namespaces/{namespace}/" : "/")
              + t.plural()
              + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch.put("operationId", "patch" + t.kind());
      ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
      gvk.put("group", t.group());
      gvk.put("version", t.version());
      gvk.put("kind", t.kind());
      ArrayNode parameters = patch.putArray("parameters");
      for (String name : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
        ObjectNode p = parameters.addObject();
        p.put("name", name);
        p.put("in", "query");
        p.putObject("schema").put("type", name.equals("force") ? "boolean" : "string");
      }
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    doc.putObject("components").putObject("schemas");
    return Optional.of(doc);
  }

  private static String prefix(ResourceType type) {
    return type.group().isEmpty()
        ? "api/" + type.version()
        : "apis/" + type.group() + "/" + type.version();
  }
}
