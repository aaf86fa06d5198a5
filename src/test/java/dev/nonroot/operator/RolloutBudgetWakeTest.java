package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.engine.model.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who the rollout budget wakes when a slot frees: the workloads at the head of the line that can
 * start now, and nobody else. A waiting workload is not decided again on a timer, so a slot whose
 * head is not woken would stay empty until the resync; waking the whole line would cost what the
 * timer cost.
 */
class RolloutBudgetWakeTest {
  private final List<ObjectRef> woken = new ArrayList<>();
  private RolloutBudget budget;

  @BeforeEach
  void budget() {
    budget = new RolloutBudget(o -> ref(o.getMetadata().getName()));
    budget.add(Stream::empty);
    budget.wakeWith("Deployment", woken::add);
    budget.wakeWith("StatefulSet", woken::add);
  }

  private static ObjectRef ref(String name) {
    return new ObjectRef("Deployment", "fleet", name);
  }

  /** Two rolling (a, b), three waiting in the order they asked (c, d, e). */
  private void lineOfThreeBehindTwo() {
    for (String name : List.of("a", "b", "c", "d", "e")) budget.tryStart("baseline", ref(name), 2);
    assertThat(budget.waiting("baseline")).isEqualTo(3);
    assertThat(woken).isEmpty();
  }

  @Test
  void aRolloutThatEndsWakesTheHeadOfTheLineOnly() {
    lineOfThreeBehindTwo();

    budget.observe(ref("a"), null);

    assertThat(woken).containsExactly(ref("c"));
    assertThat(budget.tryStart("baseline", ref("c"), 2)).isTrue();
    woken.clear();
    budget.release(ref("b"));
    assertThat(woken).containsExactly(ref("d"));
  }

  @Test
  void leavingTheLineWakesTheNextOnlyWhenASlotIsFree() {
    lineOfThreeBehindTwo();

    budget.observe(ref("d"), null);
    assertThat(woken).as("every slot taken").isEmpty();

    budget.release(ref("a"));
    assertThat(woken).containsExactly(ref("c"));
    woken.clear();
    // Exempted before its turn came: the one behind it has the slot.
    budget.observe(ref("c"), null);
    assertThat(woken).containsExactly(ref("e"));
  }

  @Test
  void aLargerBudgetWakesAsManyMoreAndNoneMeansEveryone() {
    lineOfThreeBehindTwo();
    budget.tryStart("baseline", ref("a"), 3);
    assertThat(woken).containsExactly(ref("c"));
    woken.clear();

    budget.tryStart("baseline", ref("c"), 0);
    assertThat(woken).as("once, when it is turned off").containsExactly(ref("d"), ref("e"));
    woken.clear();
    budget.tryStart("baseline", ref("d"), 0);
    assertThat(woken).isEmpty();
  }

  @Test
  void eachKindIsWokenThroughItsOwnController() {
    List<ObjectRef> statefulSets = new ArrayList<>();
    budget.wakeWith("StatefulSet", statefulSets::add);
    ObjectRef db = new ObjectRef("StatefulSet", "fleet", "db");
    budget.tryStart("baseline", ref("a"), 1);
    budget.tryStart("baseline", db, 1);

    budget.observe(ref("a"), null);

    assertThat(statefulSets).containsExactly(db);
    assertThat(woken).isEmpty();
  }
}
