package dev.nonroot.cli;

import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.PolicyMatcher;
import dev.nonroot.engine.policy.PolicyPrecedence;
import dev.nonroot.engine.rules.RemediationEngine;
import dev.nonroot.engine.model.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the engine over every workload read, in input order. Each workload is governed by the
 * matching policy that wins by {@link PolicyPrecedence}, as the operator decides it.
 */
public final class ManifestEvaluator {
  private ManifestEvaluator() {}

  public static List<WorkloadResult> evaluate(List<ManifestFile> files, List<EffectivePolicy> policies,
      ManifestInventory inventory) {
    List<ManifestObject> objects = new ArrayList<>();
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) objects.addAll(d.objects());
    }
    List<WorkloadResult> out = new ArrayList<>();
    for (ManifestObject o : objects) {
      WorkloadResult r = evaluate(o, policies, inventory);
      if (r != null) out.add(r);
    }
    return out;
  }

  private static WorkloadResult evaluate(ManifestObject o, List<EffectivePolicy> policies, ManifestInventory inventory) {
    Optional<Workload> w = Workload.of(o.node());
    if (w.isEmpty()) return null;
    List<EffectivePolicy> matching = new ArrayList<>();
    for (EffectivePolicy p : policies) {
      if (PolicyMatcher.matches(p, w.get(), inventory)) matching.add(p);
    }
    Optional<EffectivePolicy> winner = PolicyPrecedence.winner(matching);
    if (winner.isEmpty()) return new WorkloadResult(o, w.get(), null, null);
    return new WorkloadResult(o, w.get(), winner.get(),
        RemediationEngine.evaluate(winner.get(), w.get(), inventory.forWorkload(w.get())));
  }
}
