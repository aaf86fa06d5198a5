package dev.nonroot.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.ResolvedPolicy;

/** Inputs for the engine's unit tests, written as short YAML. */
public final class EngineInputs {
  /** The generation every test policy has. */
  public static final long GENERATION = 7;

  private static final YAMLMapper YAML = new YAMLMapper();

  private EngineInputs() {}

  public static ObjectNode tree(String yaml) {
    try {
      return (ObjectNode) YAML.readTree(yaml);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static Workload workload(String yaml) {
    return Workload.of(tree(yaml)).orElseThrow();
  }

  /**
   * A NonRootPolicy with a name, uid {@code uid-NAME} and {@link #GENERATION}, resolved the way the
   * operator resolves it.
   */
  public static ResolvedPolicy policy(String name, String specYaml) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("apiVersion", "nonroot.dev/v1alpha1").put("kind", "NonRootPolicy");
    p.putObject("metadata")
        .put("name", name)
        .put("uid", "uid-" + name)
        .put("generation", GENERATION);
    p.set("spec", tree(specYaml.isBlank() ? "{}" : specYaml));
    try {
      return ResolvedPolicy.of(YAML.treeToValue(p, NonRootPolicy.class));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
