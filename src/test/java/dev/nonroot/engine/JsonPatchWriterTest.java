package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.plan.JsonPatchWriter;
import dev.nonroot.engine.plan.PlanApplier;
import org.junit.jupiter.api.Test;

class JsonPatchWriterTest {
  private static ObjectNode yaml(String s) throws Exception {
    return (ObjectNode) Fixture.YAML.readTree(s);
  }

  @Test
  void addsMissingParentsOnceEscapesKeysAndReplacesOrRemovesExistingValues() throws Exception {
    ObjectNode original =
        yaml(
            """
        metadata: {name: web, labels: {app: web}}
        spec: {replicas: 1, paused: true, strategy: null}
        """);
    FieldPath annotations = FieldPath.root().key("metadata").key("annotations");
    JsonPatchWriter writer =
        new JsonPatchWriter(original)
            .add(annotations.key("nonroot.dev/changes"), TextNode.valueOf("[]"))
            .add(annotations.key("a~b"), TextNode.valueOf("x"))
            .add(FieldPath.root().key("spec").key("replicas"), IntNode.valueOf(2))
            .add(FieldPath.root().key("spec").key("paused"), null)
            .add(FieldPath.root().key("spec").key("absent"), null)
            .add(
                FieldPath.root().key("spec").key("strategy").key("type"),
                TextNode.valueOf("Recreate"));
    assertThat(writer.ops())
        .isEqualTo(
            Fixture.YAML.readTree(
                """
        - {op: add, path: /metadata/annotations, value: {}}
        - {op: add, path: /metadata/annotations/nonroot.dev~1changes, value: "[]"}
        - {op: add, path: /metadata/annotations/a~0b, value: x}
        - {op: replace, path: /spec/replicas, value: 2}
        - {op: remove, path: /spec/paused}
        - {op: add, path: /spec/strategy, value: {}}
        - {op: add, path: /spec/strategy/type, value: Recreate}
        """));
    JsonNode patched = RfcJsonPatch.apply(original, writer.ops());
    assertThat(patched)
        .isEqualTo(
            yaml(
                """
        metadata: {name: web, labels: {app: web}, annotations: {nonroot.dev/changes: "[]", a~b: x}}
        spec: {replicas: 2, strategy: {type: Recreate}}
        """));
  }

  @Test
  void planApplierKeepsKeyOrderAndAppendsNewKeys() throws Exception {
    ObjectNode tree = yaml("{b: 1, a: {y: 1}, c: 3}");
    PlanApplier.apply(tree, FieldPath.root().key("a").key("x"), IntNode.valueOf(2));
    PlanApplier.apply(tree, FieldPath.root().key("b"), IntNode.valueOf(9));
    PlanApplier.apply(tree, FieldPath.root().key("c"), null);
    assertThat(Fixture.JSON.writeValueAsString(tree))
        .isEqualTo("{\"b\":9,\"a\":{\"y\":1,\"x\":2}}");
  }
}
