package dev.nonroot.operator;

import dev.nonroot.engine.ObjectRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Failed patches, kept in memory: a failure has no trace in the cluster besides its Event, and the
 * policy status must count it. The listener wakes the status controller of the policy concerned.
 */
final class RemediationLedger {
  record Failure(String policy, String message) {}

  private final Map<ObjectRef, Failure> failures = new ConcurrentHashMap<>();
  private volatile Consumer<String> listener = p -> {};

  void onChange(Consumer<String> listener) {
    this.listener = listener;
  }

  void failed(ObjectRef workload, String policy, String message) {
    Failure next = new Failure(policy, message);
    if (!next.equals(failures.put(workload, next))) listener.accept(policy);
  }

  /** The workload needs no patch or was patched: any earlier failure is over. */
  void clear(ObjectRef workload) {
    Failure previous = failures.remove(workload);
    if (previous != null) listener.accept(previous.policy());
  }

  /** Forgets workloads that no longer exist. */
  void retainOnly(java.util.Set<ObjectRef> existing) {
    failures.keySet().retainAll(existing);
  }

  Optional<Failure> failure(ObjectRef workload) {
    return Optional.ofNullable(failures.get(workload));
  }
}
