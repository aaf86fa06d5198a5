package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;

/**
 * One column of a {@code meta.k8s.io/v1} Table. {@code priority} 0 is always shown; kubectl shows
 * higher priorities only with {@code -o wide}.
 */
record TableColumn(
    String name, String type, String format, String description, int priority, Cell cell) {

  /** The cell's value for one object: a JSON scalar, or null/NullNode for "{@code <none>}". */
  @FunctionalInterface
  interface Cell {
    JsonNode of(JsonNode object, Clock clock);
  }

  static TableColumn of(String name, String type, int priority, String description, Cell cell) {
    return new TableColumn(name, type, "", description, priority, cell);
  }
}
