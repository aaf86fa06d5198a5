package dev.nonroot.cli;

import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks the engine's {@link Governor} about every workload read, in input order. The manifests are
 * the source a GitOps tool applies, so a workload Argo CD or Flux manages is fixed here like any
 * other (its decision names the owner).
 */
public final class ManifestEvaluator {
  private ManifestEvaluator() {}

  public static List<WorkloadResult> evaluate(
      List<ManifestFile> files, List<EffectivePolicy> policies, ManifestInventory inventory) {
    PolicySet set = PolicySet.ofValid(policies);
    List<WorkloadResult> out = new ArrayList<>();
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) {
        for (ManifestObject o : d.objects()) {
          Optional<Workload> w = Workload.of(o.node());
          if (w.isEmpty()) continue;
          out.add(
              new WorkloadResult(
                  o,
                  Governor.decide(
                      set, w.get(), inventory.forWorkload(w.get()), Governor.Target.MANIFESTS)));
        }
      }
    }
    return out;
  }
}
