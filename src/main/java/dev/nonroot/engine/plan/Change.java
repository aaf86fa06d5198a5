package dev.nonroot.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;

/**
 * One planned field change. {@code oldValue} null means the field was absent; {@code newValue} null
 * means the field is removed. A list item that was absent ({@code oldValue} null at a list index)
 * is inserted there, the items from that index on moving up one: how a revert puts back an item the
 * remediation removed.
 */
public record Change(
    ObjectRef target,
    FieldPath path,
    String container,
    JsonNode oldValue,
    JsonNode newValue,
    Rule rule,
    String reason) {

  /** Whether this change inserts a list item rather than setting a field. */
  public boolean inserts() {
    return oldValue == null && newValue != null && !path.isRoot() && path.lastIsIndex();
  }

  public String field() {
    return path.display();
  }

  /** Compact text of a value for tables and records: scalars bare, objects and lists as JSON. */
  public static String render(JsonNode value) {
    if (value == null || value.isMissingNode()) return null;
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
