package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.engine.model.FieldPath;
import org.junit.jupiter.api.Test;

class FieldPathTest {
  @Test
  void displaysContainerNamesAndPointsByIndex() {
    FieldPath p =
        FieldPath.root()
            .key("spec")
            .key("containers")
            .index(1, "web")
            .key("ports")
            .index(0, null)
            .key("containerPort");
    assertThat(p.display()).isEqualTo("spec.containers[web].ports[0].containerPort");
    assertThat(p.pointer()).isEqualTo("/spec/containers/1/ports/0/containerPort");
    assertThat(p.parent().lastToken()).isEqualTo("0");
    assertThat(FieldPath.ofPointer(p.pointer())).isEqualTo(p);
    assertThat(FieldPath.root().isRoot()).isTrue();
    assertThat(
            FieldPath.root().key("metadata").key("annotations").key("nonroot.dev/exempt").pointer())
        .isEqualTo("/metadata/annotations/nonroot.dev~1exempt");
  }
}
