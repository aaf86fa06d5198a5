package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.NeedsRootAction;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.api.PortStrategy;
import dev.nonroot.api.RunAsUserFrom;
import dev.nonroot.api.SeccompMode;
import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.InvalidPolicyException;
import dev.nonroot.engine.policy.PolicyError;
import dev.nonroot.engine.policy.PolicyResolver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyResolverTest {
  /**
   * One row of engine/invalid-policies.yaml: a spec and the fields its errors must name, in order.
   */
  record InvalidCase(String name, JsonNode spec, List<String> errors) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<InvalidCase> invalidPolicies() throws IOException {
    try (InputStream in =
        PolicyResolverTest.class.getResourceAsStream("/engine/invalid-policies.yaml")) {
      List<InvalidCase> out = new ArrayList<>();
      for (JsonNode row : Fixture.YAML.readTree(in)) {
        List<String> errors = new ArrayList<>();
        row.get("errors").forEach(e -> errors.add(e.asText()));
        out.add(new InvalidCase(row.get("name").asText(), row.get("spec"), errors));
      }
      return out.stream();
    }
  }

  private static EffectivePolicy resolve(String name, String specYaml) throws Exception {
    return PolicyResolver.resolve(Fixture.policyObject(name, Fixture.YAML.readTree(specYaml)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void invalidPolicyIsRefusedNamingEveryBadField(InvalidCase c) {
    assertThatThrownBy(() -> PolicyResolver.resolve(Fixture.policyObject("bad", c.spec())))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e -> {
              assertThat(e.errors())
                  .extracting(PolicyError::field)
                  .as(c.name())
                  .containsExactlyElementsOf(c.errors());
              assertThat(e.getMessage()).startsWith("policy bad is invalid: ").doesNotContain("\n");
              c.errors().forEach(f -> assertThat(e.getMessage()).contains(f + ": "));
            });
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    EffectivePolicy p = PolicyResolver.defaults();
    assertThat(p.name()).isEqualTo("default");
    assertThat(p.mode()).isEqualTo(PolicyMode.Enforce);
    assertThat(p.priority()).isZero();
    assertThat(p.kinds())
        .containsExactlyInAnyOrder(
            WorkloadKind.Deployment, WorkloadKind.StatefulSet, WorkloadKind.DaemonSet);
    assertThat(p.namespaces()).isEmpty();
    assertThat(p.excludeNamespaces())
        .containsExactly("kube-system", "kube-public", "kube-node-lease");
    assertThat(p.namespaceSelector()).isNull();
    assertThat(p.selector()).isNull();
    assertThat(p.runAsNonRoot()).isTrue();
    assertThat(p.runAsUser()).isEqualTo(65532);
    assertThat(p.runAsUserFrom()).isEqualTo(RunAsUserFrom.Image);
    assertThat(p.fsGroup()).isNull();
    assertThat(p.denyPrivilegeEscalation()).isTrue();
    assertThat(p.denyPrivileged()).isTrue();
    assertThat(p.dropCapabilities()).containsExactly("ALL");
    assertThat(p.keepCapabilities()).isEmpty();
    assertThat(p.seccomp()).isEqualTo(SeccompMode.RuntimeDefault);
    assertThat(p.readOnlyRootFilesystem()).isFalse();
    assertThat(p.portStrategy()).isEqualTo(PortStrategy.Auto);
    assertThat(p.portOffset()).isEqualTo(8000);
    assertThat(p.portMap()).isEmpty();
    assertThat(p.updateServices()).isTrue();
    assertThat(p.updateProbes()).isTrue();
    assertThat(p.needsRoot()).isEqualTo(NeedsRootAction.Report);
  }

  @Test
  void emptySectionsMeanDefaults() throws Exception {
    EffectivePolicy empty = resolve("default", "{match: {}, securityContext: {}, ports: {}}");
    assertThat(empty).isEqualTo(PolicyResolver.defaults());
  }

  @Test
  void explicitValuesAreKeptAndCapabilitiesNormalized() throws Exception {
    EffectivePolicy p =
        resolve(
            "custom",
            """
        mode: Audit
        priority: -3
        needsRoot: Remediate
        match: {kinds: [Job, Pod], namespaces: [a], excludeNamespaces: []}
        securityContext:
          runAsUser: 1
          runAsUserFrom: Policy
          fsGroup: 2000
          dropCapabilities: [all, CAP_net_raw]
          keepCapabilities: [cap_net_bind_service]
          seccompProfile: Unmanaged
          readOnlyRootFilesystem: true
        ports: {strategy: Sysctl, offset: 1024, map: {"1": 65535, "1023": 1024}, updateServices: false, updateProbes: false}
        """);
    assertThat(p.mode()).isEqualTo(PolicyMode.Audit);
    assertThat(p.priority()).isEqualTo(-3);
    assertThat(p.needsRoot()).isEqualTo(NeedsRootAction.Remediate);
    assertThat(p.kinds()).containsExactlyInAnyOrder(WorkloadKind.Job, WorkloadKind.Pod);
    assertThat(p.excludeNamespaces()).isEmpty();
    assertThat(p.runAsUser()).isEqualTo(1);
    assertThat(p.runAsUserFrom()).isEqualTo(RunAsUserFrom.Policy);
    assertThat(p.fsGroup()).isEqualTo(2000);
    assertThat(p.dropCapabilities()).containsExactly("ALL", "NET_RAW");
    assertThat(p.keepCapabilities()).isEqualTo(Set.of("NET_BIND_SERVICE"));
    assertThat(p.seccomp()).isEqualTo(SeccompMode.Unmanaged);
    assertThat(p.readOnlyRootFilesystem()).isTrue();
    assertThat(p.portStrategy()).isEqualTo(PortStrategy.Sysctl);
    assertThat(p.portMap()).isEqualTo(Map.of(1, 65535, 1023, 1024));
    assertThat(p.updateServices()).isFalse();
    assertThat(p.updateProbes()).isFalse();
  }

  @Test
  void remapTargetPrefersTheMapThenTheOffset() throws Exception {
    EffectivePolicy p = resolve("p", "ports: {offset: 64511, map: {\"53\": 5353}}");
    assertThat(p.remapTarget(53)).isEqualTo(5353);
    assertThat(p.remapTarget(1)).isEqualTo(64512);
    assertThat(p.remapTarget(1023)).isEqualTo(65534);
  }
}
