package dev.nonroot.operator;

import dev.nonroot.engine.model.ObjectRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which watch events are the echo of a remediation the operator has already decided from its
 * patch's response, so that each written version is decided exactly once: from the response when it
 * comes before the event (the event is then dropped), from the event when it comes first (the API
 * server may send the watch event before the response).
 *
 * <p>Per workload: nothing, a patch in flight (with the version of any update heard meanwhile), or
 * a written version decided and its event still to come. Each step is atomic per workload, between
 * the reconcile thread that writes and the informer thread that hears.
 */
final class OwnWrites {
  private record Step(boolean inFlight, String version) {}

  private final Map<ObjectRef, Step> steps = new ConcurrentHashMap<>();

  /** A patch of {@code ref} is about to be sent. */
  void sending(ObjectRef ref) {
    steps.put(ref, new Step(true, null));
  }

  /**
   * The patch was accepted as {@code version}: whether to decide that version now. False when an
   * update was heard while it was in flight: its own event (passed on, so it is decided from
   * there), or another writer's, newer or older, whose own reconcile is on its way.
   */
  boolean decideNow(ObjectRef ref, String version) {
    boolean[] now = {false};
    steps.compute(
        ref,
        (k, step) -> {
          if (step != null && step.inFlight() && step.version() != null) return null;
          now[0] = true;
          return new Step(false, version);
        });
    return now[0];
  }

  /**
   * An update of {@code ref} to {@code version} was heard (one that can change a decision): whether
   * it is to be dropped.
   */
  boolean heard(ObjectRef ref, String version) {
    boolean[] drop = {false};
    steps.computeIfPresent(
        ref,
        (k, step) -> {
          if (step.inFlight()) return new Step(true, version);
          drop[0] = step.version().equals(version);
          return null;
        });
    return drop[0];
  }

  /** The patch failed, the workload is gone, or its version is left to its watch event. */
  void forget(ObjectRef ref) {
    steps.remove(ref);
  }
}
