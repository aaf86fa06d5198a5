package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nonroot.api.MatchSpec;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicySpec;
import dev.nonroot.api.PortsSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Opt-in tier against a real API server: {@code KUBECONFIG=... mvn -B verify -Preal-cluster}. Use a
 * disposable cluster (kind, k3d): it installs the CRD and works in a namespace of its own. What the
 * mock cannot show: schema validation and defaults, strategic semantics of a real server, and that
 * the JSON Patch with its resourceVersion guard is accepted.
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
class RealClusterIT {
  private static final String NS = "nonroot-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static KubernetesClient client;
  private static NonRootOperator operator;

  @BeforeAll
  static void setUp() throws Exception {
    client = new KubernetesClientBuilder().build();
    try (InputStream in = Files.newInputStream(OperatorHarness.CRD)) {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.resource(crd).serverSideApply();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                client.resources(NonRootPolicy.class).list();
                return true;
              } catch (KubernetesClientException e) {
                return false;
              }
            });
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("nginxinc/nginx-unprivileged:1.27")
                .addNewPort()
                .withContainerPort(80)
                .endPort()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "web")
                .addNewPort()
                .withPort(80)
                .withTargetPort(new IntOrString(80))
                .endPort()
                .endSpec()
                .build())
        .create();
    NonRootPolicy policy = new NonRootPolicy();
    policy.getMetadata().setName(NS);
    policy.setSpec(new NonRootPolicySpec());
    MatchSpec match = new MatchSpec();
    match.setNamespaces(List.of(NS));
    policy.getSpec().setMatch(match);
    // nginx-unprivileged listens on 8080 whatever its containerPort says: Remap makes the
    // manifest agree (Auto, seeing no listen setting, would keep 80 with the sysctl).
    PortsSpec ports = new PortsSpec();
    ports.setStrategy("Remap");
    policy.getSpec().setPorts(ports);
    client.resource(policy).create();
    operator = NonRootOperator.start(client, NonRootOperator.Settings.defaults());
  }

  @AfterAll
  static void tearDown() {
    if (operator != null) operator.close();
    if (client != null) {
      client.resources(NonRootPolicy.class).withName(NS).delete();
      client.namespaces().withName(NS).delete();
      client.close();
    }
  }

  @Test
  void theApiServerAcceptsThePatchAndTheStatus() {
    Deployment web =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> client.apps().deployments().inNamespace(NS).withName("web").get(),
                d ->
                    d.getMetadata().getAnnotations() != null
                        && d.getMetadata().getAnnotations().containsKey("nonroot.dev/changes"));
    assertThat(web.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();
    assertThat(web.getMetadata().getManagedFields())
        .anySatisfy(f -> assertThat(f.getManager()).isEqualTo("nonroot-operator"));
    assertThat(
            client
                .services()
                .inNamespace(NS)
                .withName("web")
                .get()
                .getSpec()
                .getPorts()
                .get(0)
                .getTargetPort()
                .getIntVal())
        .isEqualTo(8080);
    NonRootPolicy p =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> client.resources(NonRootPolicy.class).withName(NS).get(),
                x -> x.getStatus() != null && x.getStatus().getRemediated() == 1);
    // Defaults come from the CRD schema on a real server.
    assertThat(p.getSpec().getMode()).isEqualTo("Enforce");
  }

  @Test
  void theSchemaRefusesAnInvalidPolicy() {
    GenericKubernetesResource bad = new GenericKubernetesResource();
    bad.setApiVersion("nonroot.dev/v1alpha1");
    bad.setKind("NonRootPolicy");
    bad.setMetadata(new ObjectMetaBuilder().withName(NS + "-bad").build());
    bad.setAdditionalProperties(
        Map.of("spec", Map.of("mode", "Sometimes", "ports", Map.of("offset", 10))));
    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.mode")
        .hasMessageContaining("spec.ports.offset");
  }
}
