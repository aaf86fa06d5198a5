package dev.nonroot.api;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * The schema of the policy's label selectors: fabric8's LabelSelector, with the operator an enum so
 * that a real API server refuses "in" or "exists" (the resolver accepts exactly these values). Used
 * only through {@code @SchemaFrom}; the model keeps fabric8's LabelSelector.
 */
final class SelectorSchema {
  @Size(max = MatchSpec.MAX_SELECTOR_TERMS)
  public Map<String, String> matchLabels;

  @Size(max = MatchSpec.MAX_SELECTOR_TERMS)
  public List<Requirement> matchExpressions;

  private SelectorSchema() {}

  static final class Requirement {
    public String key;

    @SchemaFrom(type = SelectorOperator.class)
    public String operator;

    @Size(max = MatchSpec.MAX_SELECTOR_VALUES)
    public List<String> values;

    private Requirement() {}
  }
}
