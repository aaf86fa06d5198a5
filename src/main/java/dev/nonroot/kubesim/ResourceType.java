package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One resource type the server knows: what discovery advertises for it and how {@code kubectl get}
 * prints it. {@code custom} marks types that come from a CustomResourceDefinition, whose OpenAPI
 * {@code schema} (null for built-ins) supplies defaults.
 */
record ResourceType(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> verbs,
    List<String> categories,
    boolean statusSubresource,
    List<TableColumn> columns,
    boolean custom,
    JsonNode schema) {

  static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  ResourceType {
    shortNames = List.copyOf(shortNames);
    verbs = List.copyOf(verbs);
    categories = List.copyOf(categories);
    columns = List.copyOf(columns);
  }

  /** "v1" for the core group, "apps/v1" otherwise. */
  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /**
   * "deployments.apps", or "pods" for the core group: how Kubernetes names a resource in messages.
   */
  String groupResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
