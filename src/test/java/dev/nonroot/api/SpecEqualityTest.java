package dev.nonroot.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The policy status carries a held spec, and the status controller skips a write only when the
 * folded status equals the current one: the spec classes need value equality over every field.
 */
class SpecEqualityTest {

  private static NonRootPolicySpec spec() {
    NonRootPolicySpec spec = new NonRootPolicySpec();
    spec.setMode("Audit");
    spec.setPriority(10);
    spec.setMatch(new MatchSpec());
    spec.getMatch().setNamespaces(List.of("shop"));
    spec.getMatch().setSelector(new LabelSelector(null, Map.of("app", "web")));
    spec.setSecurityContext(new SecurityContextSpec());
    spec.getSecurityContext().setDropCapabilities(List.of("ALL"));
    spec.setPorts(new PortsSpec());
    spec.getPorts().setMap(Map.of("53", 5353));
    return spec;
  }

  private static NonRootPolicyStatus held() {
    NonRootPolicyStatus status = new NonRootPolicyStatus();
    status.setMatched(3);
    status.setHeldSpec(spec());
    status.setHeldGeneration(1L);
    return status;
  }

  @Test
  void twoStatusesHoldingTheSameSpecAreEqual() {
    assertThat(held()).isEqualTo(held()).hasSameHashCodeAs(held());
  }

  @Test
  void statusesHoldingDifferentSpecsDiffer() {
    NonRootPolicyStatus other = held();
    other.getHeldSpec().getPorts().setMap(Map.of("53", 5354));
    assertThat(other).isNotEqualTo(held());
  }

  /** Guards equals against a field added later and left out of it. */
  @Test
  void everyFieldOfEverySpecClassCounts() throws Exception {
    for (Class<?> type :
        List.of(
            NonRootPolicySpec.class, MatchSpec.class, SecurityContextSpec.class, PortsSpec.class)) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) continue;
        Object a = type.getConstructor().newInstance();
        Object b = type.getConstructor().newInstance();
        assertThat(a).isEqualTo(b);
        field.setAccessible(true);
        field.set(b, otherValue(field.getType()));
        assertThat(a).as(type.getSimpleName() + "." + field.getName()).isNotEqualTo(b);
      }
    }
  }

  /** A value unlike the field's default (null or an empty list), of the field's type. */
  private static Object otherValue(Class<?> type) throws Exception {
    if (type == String.class) return "x";
    if (type == Integer.class) return 1;
    if (type == Long.class) return 1L;
    if (type == Boolean.class) return Boolean.TRUE;
    if (type == List.class) return List.of(new UnreadableValue("spec.x", "bad"));
    if (type == Map.class) return Map.of("53", 5353);
    return type.getConstructor().newInstance();
  }
}
