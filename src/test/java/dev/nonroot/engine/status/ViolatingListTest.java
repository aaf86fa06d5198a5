package dev.nonroot.engine.status;

import static dev.nonroot.engine.EngineInputs.policy;
import static dev.nonroot.engine.EngineInputs.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.ViolatingWorkload;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.rules.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The status names the workloads that still violate, so an admin can find them in the cluster. */
class ViolatingListTest {
  private static final String NOW = "2026-01-01T00:00:00Z";

  private static Verdict decide(ResolvedPolicy p, String workloadYaml) throws Exception {
    Workload w = workload(workloadYaml);
    return Verdict.of(
        Governor.decide(PolicySet.of(List.of(p)), w, Inventory.EMPTY),
        ChangeRecord.empty(),
        null,
        NOW);
  }

  @Test
  void needsRootAuditAndPendingWorkloadsAreNamedWithTheirReason() throws Exception {
    ResolvedPolicy enforce = policy("strict", "{mode: Enforce}");
    ResolvedPolicy audit = policy("watch", "{mode: Audit}");
    String agent =
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ops}\n"
            + "spec: {template: {spec: {hostPID: true, containers: [{name: a, image: x}]}}}";
    String web =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
            + "spec: {template: {spec: {containers: [{name: w, image: nginx}]}}}";

    NonRootPolicyStatus enforced =
        StatusFold.fold(
            enforce, List.of(decide(enforce, agent), decide(enforce, web)), Map.of(), null, NOW);
    NonRootPolicyStatus audited =
        StatusFold.fold(audit, List.of(decide(audit, web)), Map.of(), null, NOW);

    assertThat(enforced.getViolating())
        .extracting(ViolatingWorkload::getName, ViolatingWorkload::getState)
        .containsExactly(tuple("agent", "NeedsRoot"), tuple("web", "Pending"));
    assertThat(enforced.getViolating().get(0).getReason()).startsWith("needs root: KernelChanges");
    assertThat(audited.getViolating())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo("WouldPatch");
              assertThat(v.getReason()).startsWith("would change ").endsWith("(Audit)");
            });
  }

  @Test
  void theListIsBoundedSortedAndOnlyForWhatThePolicyGoverns() throws Exception {
    ResolvedPolicy p = policy("p", "{mode: Enforce}");
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      verdicts.add(
          new Verdict(
              new ObjectRef("Deployment", "ns-" + (119 - i), "w"),
              List.of("p"),
              Outcome.Unresolved,
              Set.of(),
              List.of(),
              Map.of(),
              null,
              new Verdict.Violation("Unresolved", "port collision")));
    }
    verdicts.add(
        new Verdict(
            new ObjectRef("Deployment", "aaa", "other"),
            List.of("q", "p"),
            Outcome.Unresolved,
            Set.of(),
            List.of(),
            Map.of(),
            null,
            new Verdict.Violation("Unresolved", "governed by q")));

    NonRootPolicyStatus s = StatusFold.fold(p, verdicts, Map.of(), null, NOW);

    assertThat(s.getViolations()).isEqualTo(120);
    assertThat(s.getViolating()).hasSize(StatusFold.VIOLATING_LISTED);
    assertThat(s.getViolating()).extracting(ViolatingWorkload::getNamespace).isSorted();
    assertThat(s.getViolating()).noneMatch(v -> v.getName().equals("other"));
  }
}
