package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Kubernetes object: a document's root, or item {@code item} of a {@code kind: List} document.
 * Its node is part of the document's tree, so changes to it change the document.
 */
public record ManifestObject(ManifestDocument document, int item, ObjectNode node) {

  /** Prepended to pointers inside this object to make them pointers inside the document. */
  public String pointerPrefix() {
    return item < 0 ? "" : "/items/" + item;
  }

  /** Prepended to readable field names inside this object. */
  public String fieldPrefix() {
    return item < 0 ? "" : "items[" + item + "].";
  }

  public String kind() {
    return node.path("kind").asText("");
  }

  public String apiVersion() {
    return node.path("apiVersion").asText("");
  }

  /** metadata.namespace as written (empty when absent). */
  public String namespace() {
    return node.path("metadata").path("namespace").asText("");
  }

  public String name() {
    return node.path("metadata").path("name").asText("");
  }

  /** Where the object starts: the document's first content line, or the list item's line. */
  public int line() {
    return item < 0 ? document.contentLine() : LineLocator.line(document, pointerPrefix());
  }
}
