package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.WorkloadKind;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every kind of the workload table is served, once, the way kube-apiserver serves it. */
class BuiltInResourcesTest {
  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void everyWorkloadKindIsServedWithItsOwnPrinter(WorkloadKind kind) {
    List<ResourceType> types =
        BuiltInResources.all().stream()
            .filter(t -> t.group().equals(kind.group()) && t.plural().equals(kind.plural()))
            .toList();
    assertThat(types).hasSize(1);
    ResourceType type = types.get(0);
    assertThat(type.kind()).isEqualTo(kind.name());
    assertThat(type.version()).isEqualTo(kind.version());
    assertThat(type.namespaced()).isTrue();
    assertThat(type.categories()).containsExactly("all");
    assertThat(type.statusSubresource()).isTrue();
    assertThat(type.columns()).as("more than Name and Age").hasSizeGreaterThan(2);
  }
}
