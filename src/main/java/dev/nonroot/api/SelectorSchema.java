package dev.nonroot.api;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import java.util.List;
import java.util.Map;

/**
 * The schema of the policy's label selectors: fabric8's LabelSelector, with the operator an enum so
 * that a real API server refuses "in" or "exists" (the resolver accepts exactly these values). Used
 * only through {@code @SchemaFrom}; the model keeps fabric8's LabelSelector.
 */
final class SelectorSchema {
  public Map<String, String> matchLabels;
  public List<Requirement> matchExpressions;

  private SelectorSchema() {}

  static final class Requirement {
    public String key;

    @SchemaFrom(type = SelectorOperator.class)
    public String operator;

    public List<String> values;

    private Requirement() {}
  }
}
