package dev.nonroot.cli;

import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.manifest.InOrder;
import dev.nonroot.manifest.LineLocator;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

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
    List<ManifestObject> objects = new ArrayList<>();
    List<Workload> workloads = new ArrayList<>();
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) {
        for (ManifestObject o : d.objects()) {
          Optional<Workload> w = Workload.of(o.node());
          if (w.isEmpty()) {
            refuseWithoutPodSpec(o);
            continue;
          }
          objects.add(o);
          workloads.add(w.get());
        }
      }
    }
    // Each decision reads the trees and the inventory and changes neither: on as many cores as
    // there are, results in input order.
    List<Integer> indexes = IntStream.range(0, objects.size()).boxed().toList();
    return InOrder.map(
        indexes,
        i ->
            new WorkloadResult(
                objects.get(i),
                Governor.decide(
                    set,
                    workloads.get(i),
                    inventory.forWorkload(workloads.get(i)),
                    Governor.Target.MANIFESTS)));
  }

  /**
   * A workload kind without a pod spec is a mistake the API server refuses: saying nothing would
   * pass it as compliant.
   */
  private static void refuseWithoutPodSpec(ManifestObject o) {
    Optional<Workload.MissingPodSpec> missing = Workload.missingPodSpec(o.node());
    if (missing.isEmpty()) return;
    String name = o.namespace().isEmpty() ? o.name() : o.namespace() + "/" + o.name();
    throw new BadInputException(
        o.document().file().name()
            + ":"
            + LineLocator.line(o.document(), o.pointerPrefix() + missing.get().field().pointer())
            + ": "
            + o.kind()
            + " "
            + name
            + ": "
            + o.fieldPrefix()
            + missing.get().problem()
            + ": a "
            + o.kind()
            + " needs a pod template, and the API server refuses it without one");
  }
}
