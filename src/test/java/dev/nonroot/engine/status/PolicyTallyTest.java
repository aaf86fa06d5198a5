package dev.nonroot.engine.status;

import static dev.nonroot.engine.EngineInputs.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rules.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tally kept up to date verdict by verdict shows the same status as a fold of every verdict at
 * that moment: the operator's status passes read the tally, and {@link StatusFold#fold} is the
 * definition they must agree with.
 */
class PolicyTallyTest {
  private static final String NOW = "2025-02-01T12:00:00Z";
  private static final String[] POLICIES = {"p", "q"};
  private static final String[] STATES = {
    "NeedsRoot", "Unresolved", "Pending", "WouldPatch", "Reverted", "Failed", Verdict.CONFLICT
  };

  private static String second(Random random, int spread) {
    return String.format(
        "2025-01-01T00:%02d:%02dZ", random.nextInt(spread) / 60, random.nextInt(spread) % 60);
  }

  private static Verdict.Listed listed(Random random, ObjectRef ref, String action, String time) {
    return Verdict.Listed.of(
        new RecordedChange(
            ref.kind(),
            ref.namespace(),
            ref.name(),
            random.nextBoolean() ? "web" : null,
            random.nextBoolean() ? "runAsUser" : "capabilities.drop",
            random.nextBoolean() ? null : "0",
            random.nextBoolean() ? "65532" : "[ALL]",
            action,
            random.nextBoolean() ? "RunAsUser" : "DropCapabilities",
            time));
  }

  /** Any verdict a workload may have, within two policies, a few seconds and a few changes each. */
  private static Verdict verdict(Random random, ObjectRef ref) {
    List<String> matching = new ArrayList<>();
    for (String p : POLICIES) if (random.nextInt(3) > 0) matching.add(p);
    if (random.nextBoolean()) Collections.reverse(matching);
    Outcome outcome =
        matching.isEmpty() ? null : Outcome.values()[random.nextInt(Outcome.values().length)];
    Set<String> reasons = new TreeSet<>();
    if (outcome == Outcome.NeedsRoot) {
      reasons.add("PrivilegedPort");
      if (random.nextBoolean()) reasons.add("Capability");
    }
    List<Verdict.Listed> wouldPatch = new ArrayList<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      wouldPatch.add(listed(random, ref, Verdict.WOULD_PATCH, second(random, 600)));
    }
    Map<String, List<Verdict.Listed>> patched = new HashMap<>();
    for (String p : POLICIES) {
      List<Verdict.Listed> mine = new ArrayList<>();
      for (int i = random.nextInt(6) - 1; i > 0; i--) {
        mine.add(listed(random, ref, Verdict.PATCHED, second(random, 600)));
      }
      if (!mine.isEmpty()) patched.put(p, List.copyOf(mine));
    }
    Verdict.Failure failure =
        random.nextInt(4) == 0 ? new Verdict.Failure(POLICIES[random.nextInt(2)], "refused") : null;
    Verdict.Violation violation =
        random.nextInt(3) == 0
            ? null
            : new Verdict.Violation(STATES[random.nextInt(STATES.length)], "why " + ref.name());
    RolloutState rollout =
        random.nextInt(3) == 0
            ? new RolloutState(
                RolloutState.Phase.values()[random.nextInt(RolloutState.Phase.values().length)],
                POLICIES[random.nextInt(2)],
                "label",
                null,
                NOW,
                "hash",
                1,
                "Move",
                false,
                null,
                null,
                null,
                Map.of(),
                NOW)
            : null;
    return new Verdict(
        ref,
        List.copyOf(matching),
        outcome,
        Set.copyOf(reasons),
        List.copyOf(wouldPatch),
        Map.copyOf(patched),
        failure,
        violation,
        rollout,
        random.nextInt(4) == 0 ? "Argo CD application shop" : null,
        random.nextBoolean());
  }

  /** A status an earlier process wrote: some WouldPatch changes were first seen before. */
  private static NonRootPolicyStatus previous(Random random) {
    NonRootPolicyStatus s = new NonRootPolicyStatus();
    List<RecordedChange> earlier = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Verdict.Listed l =
          listed(random, ref(random.nextInt(4_000)), Verdict.WOULD_PATCH, "2024-12-31T00:00:00Z");
      earlier.add(l.change());
    }
    s.setWorkloadChanges(earlier);
    return s;
  }

  private static ObjectRef ref(int i) {
    return new ObjectRef(
        i % 3 == 0 ? "StatefulSet" : "Deployment", "namespace-" + i % 7, "application-" + i);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mode: Enforce", "mode: Audit", "mode: Enforce\nonDelete: Revert"})
  void aTallyKeptVerdictByVerdictShowsWhatAFoldOfEveryVerdictShows(String spec) {
    ResolvedPolicy policy = policy("p", spec);
    for (long seed = 1; seed <= 3; seed++) {
      Random random = new Random(seed);
      NonRootPolicyStatus previous = seed == 3 ? previous(random) : null;
      // Enough changes (about 600 KB) that the listed ones are cut at the budget, in one second.
      Map<String, List<Verdict.Listed>> services =
          Map.of(
              "p",
              List.of(
                  listed(random, new ObjectRef("Service", "ns-1", "web"), Verdict.PATCHED, NOW),
                  listed(
                      random,
                      new ObjectRef("Service", "ns-2", "web"),
                      Verdict.PATCHED,
                      "2025-01-01T00:05:00Z")));
      PolicyTally tally = PolicyTally.of(policy.acting(), previous);
      Map<ObjectRef, Verdict> verdicts = new LinkedHashMap<>();
      for (int step = 0; step < 8_000; step++) {
        ObjectRef ref = ref(random.nextInt(4_000));
        Verdict before = verdicts.get(ref);
        if (before != null) tally.remove(before);
        if (step > 5_000 && random.nextInt(5) == 0) {
          verdicts.remove(ref);
        } else {
          Verdict after = verdict(random, ref);
          verdicts.put(ref, after);
          tally.add(after);
        }
        if (step % 1_000 == 999) {
          NonRootPolicyStatus folded =
              StatusFold.fold(policy, List.copyOf(verdicts.values()), services, previous, NOW);
          assertThat(StatusFold.render(policy, tally, services, previous, NOW))
              .as("seed %d, step %d", seed, step)
              .isEqualTo(folded);
          assertThat(folded.getTruncated()).as("the budget cuts the list").isPositive();
          PolicyTally shown =
              tally.copy(StatusFold.VIOLATING_LISTED, StatusFold.CHANGES_BUDGET_BYTES);
          assertThat(StatusFold.render(policy, shown, services, previous, NOW))
              .as("seed %d, step %d, from a copy", seed, step)
              .isEqualTo(folded);
        }
      }
    }
  }

  @Test
  void aWorkloadDecidedAgainCountsOnce() {
    ResolvedPolicy policy = policy("p", "mode: Enforce");
    PolicyTally tally = PolicyTally.of(policy.acting(), null);
    Random random = new Random(7);
    Verdict pending =
        new Verdict(
            ref(1),
            List.of("p"),
            Outcome.NonCompliant,
            Set.of(),
            List.of(),
            Map.of(),
            null,
            new Verdict.Violation("Pending", "to be patched"));
    Verdict remediated =
        new Verdict(
            ref(1),
            List.of("p"),
            Outcome.Compliant,
            Set.of(),
            List.of(),
            Map.of("p", List.of(listed(random, ref(1), Verdict.PATCHED, NOW))),
            null);
    tally.add(pending);
    tally.remove(pending);
    tally.add(remediated);
    NonRootPolicyStatus s = StatusFold.render(policy, tally, Map.of(), null, NOW);
    assertThat(List.of(s.getMatched(), s.getCompliant(), s.getRemediated(), s.getPending()))
        .containsExactly(1, 1, 1, 0);
    assertThat(s.getViolating()).isEmpty();
    assertThat(s.getWorkloadChanges()).hasSize(1);
  }

  @Test
  void aWouldPatchChangeThatComesBackIsFirstSeenAgain() {
    ResolvedPolicy policy = policy("p", "mode: Audit");
    ObjectRef ref = ref(1);
    RecordedChange before = runAsUser(ref, "2024-12-31T00:00:00Z");
    NonRootPolicyStatus previous = new NonRootPolicyStatus();
    previous.setWorkloadChanges(List.of(before));
    PolicyTally tally = PolicyTally.of(policy.acting(), previous);
    Verdict seen = auditVerdict(ref, "2025-01-10T00:00:00Z");
    tally.replace(null, seen);
    assertThat(times(policy, tally)).containsExactly("2024-12-31T00:00:00Z");
    Verdict again = auditVerdict(ref, "2025-01-11T00:00:00Z");
    tally.replace(seen, again);
    assertThat(times(policy, tally))
        .as("decided again, still due: an earlier process saw it first")
        .containsExactly("2024-12-31T00:00:00Z");
    Verdict fixed =
        new Verdict(ref, List.of("p"), Outcome.Compliant, Set.of(), List.of(), Map.of(), null);
    tally.replace(again, fixed);
    assertThat(times(policy, tally)).isEmpty();
    Verdict back = auditVerdict(ref, "2025-01-12T00:00:00Z");
    tally.replace(fixed, back);
    assertThat(times(policy, tally))
        .as("fixed by hand and broken again: first seen now")
        .containsExactly("2025-01-12T00:00:00Z");
  }

  private static Verdict auditVerdict(ObjectRef ref, String time) {
    return new Verdict(
        ref,
        List.of("p"),
        Outcome.NonCompliant,
        Set.of(),
        List.of(Verdict.Listed.of(runAsUser(ref, time))),
        Map.of(),
        null,
        new Verdict.Violation("WouldPatch", "would change runAsUser (Audit)"));
  }

  private static RecordedChange runAsUser(ObjectRef ref, String time) {
    return new RecordedChange(
        ref.kind(),
        ref.namespace(),
        ref.name(),
        "web",
        "runAsUser",
        null,
        "65532",
        Verdict.WOULD_PATCH,
        "RunAsUser",
        time);
  }

  private static List<String> times(ResolvedPolicy policy, PolicyTally tally) {
    return StatusFold.render(policy, tally, Map.of(), null, NOW).getWorkloadChanges().stream()
        .map(RecordedChange::getTime)
        .toList();
  }

  @Test
  void aTallyOfAnotherModeIsRefused() {
    PolicyTally enforce = PolicyTally.of(policy("p", "mode: Enforce").acting(), null);
    assertThatThrownBy(
            () -> StatusFold.render(policy("p", "mode: Audit"), enforce, Map.of(), null, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
