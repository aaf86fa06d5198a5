package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.InvalidPolicyException;
import dev.nonroot.engine.policy.PolicyPrecedence;
import dev.nonroot.engine.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyPrecedenceTest {
  private static EffectivePolicy policy(String name, int priority) throws InvalidPolicyException {
    return PolicyResolver.resolve(
        Fixture.policyObject(
            name, JsonNodeFactory.instance.objectNode().put("priority", priority)));
  }

  @Test
  void highestPriorityWinsThenTheNameThatSortsFirst() throws Exception {
    EffectivePolicy low = policy("aaa", -1);
    EffectivePolicy zero = policy("a", 0);
    EffectivePolicy highB = policy("b", 10);
    EffectivePolicy highC = policy("c", 10);
    List<EffectivePolicy> all = new ArrayList<>(List.of(highC, low, zero, highB));
    assertThat(PolicyPrecedence.winner(all)).contains(highB);
    all.sort(PolicyPrecedence.ORDER);
    assertThat(all).containsExactly(highB, highC, zero, low);
    assertThat(PolicyPrecedence.winner(List.of(zero, low))).contains(zero);
    assertThat(PolicyPrecedence.winner(List.of())).isEmpty();
  }
}
