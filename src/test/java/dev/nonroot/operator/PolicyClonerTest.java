package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class PolicyClonerTest {
  private final PolicyCloner cloner = new PolicyCloner(new KubernetesSerialization());

  @Test
  void aWorkloadIsHandedOverAsCachedAndAPolicyAsACopy() {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().build();
    assertThat(cloner.clone(d)).isSameAs(d);

    NonRootPolicy p = new NonRootPolicy();
    p.getMetadata().setName("baseline");
    NonRootPolicy copy = cloner.clone(p);
    assertThat(copy).isNotSameAs(p).isEqualTo(p);
    assertThat(copy.getMetadata()).isNotSameAs(p.getMetadata());
  }
}
