package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A patch is addressed by kind, namespace and name alone; the object's body stays behind. */
class PatchAddressTest {
  @Test
  void aWorkloadIsAddressedWithoutItsSpec() {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName("web")
            .withResourceVersion("42")
            .withAnnotations(Map.of("a", "b"))
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .endSpec()
            .build();
    Deployment address = PatchAddress.of(d);
    assertThat(address).isInstanceOf(Deployment.class);
    assertThat(address.getApiVersion()).isEqualTo("apps/v1");
    assertThat(address.getKind()).isEqualTo("Deployment");
    assertThat(address.getMetadata())
        .isEqualTo(new ObjectMetaBuilder().withNamespace("shop").withName("web").build());
    assertThat(address.getSpec()).isNull();
  }

  @Test
  void aPolicyIsAddressedWithoutItsStatus() {
    NonRootPolicy p = new NonRootPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("default").build());
    p.setStatus(new NonRootPolicyStatus());
    NonRootPolicy address = PatchAddress.of(p);
    assertThat(address.getKind()).isEqualTo("NonRootPolicy");
    assertThat(address.getMetadata().getName()).isEqualTo("default");
    assertThat(address.getStatus()).isNull();
  }
}
