package dev.nonroot.engine.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;

/** metav1.Condition bookkeeping: lastTransitionTime moves only when the status flips. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String VALID = "Valid";
  public static final String OVERLAPPING = "Overlapping";
  public static final String DELETING = "Deleting";

  private final List<Condition> previous;
  private final long generation;
  private final String now;
  private final List<Condition> next = new ArrayList<>();

  public Conditions(List<Condition> previous, long generation, String now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  /** Sets a condition; setting a type again replaces it (in place). */
  public Conditions set(String type, boolean status, String reason, String message) {
    String s = status ? "True" : "False";
    String since =
        previous.stream()
            .filter(c -> type.equals(c.getType()) && s.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(now);
    Condition c =
        new ConditionBuilder()
            .withType(type)
            .withStatus(s)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    for (int i = 0; i < next.size(); i++) {
      if (type.equals(next.get(i).getType())) {
        next.set(i, c);
        return this;
      }
    }
    next.add(c);
    return this;
  }

  public List<Condition> build() {
    return List.copyOf(next);
  }
}
