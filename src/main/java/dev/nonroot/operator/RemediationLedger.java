package dev.nonroot.operator;

import dev.nonroot.engine.model.ObjectRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Failed patches, kept in memory: a failure has no trace in the cluster besides its Event, and the
 * policy status must count it. The listener wakes the status controller of the policy concerned.
 */
final class RemediationLedger {
  record Failure(String policy, String message, java.time.Instant at) {
    /** Same failure: same policy and message, whenever it happened. */
    boolean sameAs(Failure other) {
      return other != null && policy.equals(other.policy) && message.equals(other.message);
    }
  }

  private final Map<ObjectRef, Failure> failures = new ConcurrentHashMap<>();
  private volatile Consumer<String> listener = p -> {};

  void onChange(Consumer<String> listener) {
    this.listener = listener;
  }

  void failed(ObjectRef workload, String policy, String message) {
    Failure next = new Failure(policy, message, java.time.Instant.now());
    if (!next.sameAs(failures.put(workload, next))) listener.accept(policy);
  }

  /** The workload needs no patch or was patched: any earlier failure is over. */
  void clear(ObjectRef workload) {
    Failure previous = failures.remove(workload);
    if (previous != null) listener.accept(previous.policy());
  }

  /**
   * Forgets workloads that no longer exist. Recent failures stay: the caller's cache may not have
   * seen a just-created workload yet.
   */
  void retainOnly(java.util.Set<ObjectRef> existing, java.time.Duration grace) {
    java.time.Instant cutoff = java.time.Instant.now().minus(grace);
    failures.entrySet().removeIf(e -> !existing.contains(e.getKey()) && e.getValue().at().isBefore(cutoff));
  }

  Optional<Failure> failure(ObjectRef workload) {
    return Optional.ofNullable(failures.get(workload));
  }
}
