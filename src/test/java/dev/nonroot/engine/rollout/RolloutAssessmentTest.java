package dev.nonroot.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.engine.rollout.RolloutAssessment.Progress;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a followed rollout is judged from the controller's status and the rollout's pods. */
class RolloutAssessmentTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Instant STARTED = Instant.parse("2026-12-02T10:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final RolloutState STATE =
      new RolloutState(
          Phase.RollingOut,
          "baseline",
          "abc",
          null,
          STARTED.toString(),
          "t",
          1,
          "Auto",
          false,
          null,
          null,
          null,
          Map.of(),
          STARTED.toString());

  private static JsonNode yaml(String s) {
    try {
      return YAML.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode deployment(String status) {
    return yaml(
        """
        kind: Deployment
        metadata: {name: web, generation: 4}
        spec: {replicas: 2}
        status: %s
        """
            .formatted(status));
  }

  private static JsonNode pod(String name, String containerStatus) {
    return yaml(
        """
        metadata: {name: %s}
        status: {containerStatuses: [%s]}
        """
            .formatted(name, containerStatus));
  }

  private static final String RUNNING_999 =
      "{name: web, ready: true, state: {running: {}}, user: {linux: {uid: 999, gid: 999}}}";
  private static final String RUNNING_SILENT = "{name: web, ready: true, state: {running: {}}}";
  private static final String CRASHING =
      "{name: web, ready: false, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff,"
          + " message: 'back-off 40s restarting failed container'}}}";
  private static final String CREATING =
      "{name: web, ready: false, state: {waiting: {reason: ContainerCreating}}}";
  private static final String DONE =
      "{observedGeneration: 4, replicas: 2, updatedReplicas: 2, availableReplicas: 2,"
          + " readyReplicas: 2}";
  private static final String HALF =
      "{observedGeneration: 4, replicas: 3, updatedReplicas: 1, availableReplicas: 2}";

  private static Progress assess(JsonNode workload, List<JsonNode> pods, Instant now) {
    return RolloutAssessment.assess(
        workload.path("kind").asText(), workload, () -> pods, STATE, now, TIMEOUT);
  }

  @Test
  void beforeTheControllerActsNoPodIsListedAndNothingIsJudged() {
    JsonNode d = deployment("{observedGeneration: 3}");
    Progress p =
        RolloutAssessment.assess(
            "Deployment", d, () -> fail("listed pods too early"), STATE, STARTED, TIMEOUT);

    assertThat(p.phase()).isEqualTo(Phase.RollingOut);
    // Only the controller's status write (which wakes the follower) can change that: no timer.
    assertThat(p.worthPolling()).isFalse();
  }

  @Test
  void anObservedRolloutInProgressIsWorthLookingAtAgain() {
    Progress p = assess(deployment(HALF), List.of(pod("a", CREATING)), STARTED);

    assertThat(p.phase()).isEqualTo(Phase.RollingOut);
    assertThat(p.worthPolling()).isTrue();
  }

  @Test
  void aChangeNoControllerActedOnWithinTheTimeoutIsUnverifiedNotReverted() {
    Progress p =
        RolloutAssessment.assess(
            "Deployment",
            deployment("{observedGeneration: 3}"),
            () -> fail("no pods to judge"),
            STATE,
            STARTED.plus(TIMEOUT),
            TIMEOUT);

    assertThat(p.phase()).isEqualTo(Phase.Unverified);
    assertThat(p.reason()).isEqualTo("NotObserved");
  }

  @Test
  void readyPodsReportingANonZeroUidVerifyIt() {
    Progress p =
        assess(deployment(DONE), List.of(pod("a", RUNNING_999), pod("b", RUNNING_999)), STARTED);

    assertThat(p.phase()).isEqualTo(Phase.Verified);
    assertThat(p.uids()).containsEntry("web", 999L);
    assertThat(p.message()).contains("uid 999");
  }

  @Test
  void readyPodsThatReportNoUidAreUnverifiedNotFailed() {
    Progress p = assess(deployment(DONE), List.of(pod("a", RUNNING_SILENT)), STARTED);

    assertThat(p.phase()).isEqualTo(Phase.Unverified);
    assertThat(p.reason()).isEqualTo("UidNotReported");
  }

  @Test
  void aCrashingPodOfTheRolloutFailsItWithTheContainersEvidence() {
    Progress p =
        assess(deployment(HALF), List.of(pod("web-7d9-x", CRASHING)), STARTED.plusSeconds(20));

    assertThat(p.phase()).isEqualTo(Phase.Failed);
    assertThat(p.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(p.message())
        .isEqualTo(
            "pod web-7d9-x container web: CrashLoopBackOff: back-off 40s restarting failed"
                + " container");
  }

  @Test
  void aMissingConfigMapOrRootImageFailsIt() {
    Progress p =
        assess(
            deployment(HALF),
            List.of(
                pod(
                    "a",
                    "{name: web, state: {waiting: {reason: CreateContainerConfigError, message:"
                        + " 'container has runAsNonRoot and image will run as root'}}}")),
            STARTED);

    assertThat(p.phase()).isEqualTo(Phase.Failed);
    assertThat(p.message()).contains("image will run as root");
  }

  @Test
  void progressDeadlineExceededFailsIt() {
    Progress p =
        assess(
            deployment(
                "{observedGeneration: 4, conditions: [{type: Progressing, status: 'False',"
                    + " reason: ProgressDeadlineExceeded, message: 'ReplicaSet \"web-7d9\" has"
                    + " timed out progressing.'}]}"),
            List.of(),
            STARTED);

    assertThat(p.phase()).isEqualTo(Phase.Failed);
    assertThat(p.reason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(p.message()).contains("timed out progressing");
  }

  @Test
  void podsNotReadyWithinTheTimeoutFailItNamingWhatTheyWaitFor() {
    JsonNode d = deployment(HALF);
    List<JsonNode> pods = List.of(pod("a", CREATING));

    assertThat(assess(d, pods, STARTED.plus(TIMEOUT).minusSeconds(1)).phase())
        .isEqualTo(Phase.RollingOut);
    Progress p = assess(d, pods, STARTED.plus(TIMEOUT));
    assertThat(p.phase()).isEqualTo(Phase.Failed);
    assertThat(p.reason()).isEqualTo("Timeout");
    assertThat(p.message())
        .isEqualTo(
            "not ready within 5m: 2 of 2 updated replicas available; pod a container web"
                + " waiting: ContainerCreating");
  }

  /**
   * spec.rollout.timeout is how long a pod of the rollout may take to be ready, not the whole
   * rollout: a Deployment of many replicas whose pods each come up in a minute, a few at a time,
   * takes longer than 5m and is healthy all along. Timing the whole rollout reverted it (and held
   * the fix back for good) while every new pod was ready.
   */
  @Test
  void aLargeRolloutWhosePodsAllComeUpInTimeIsNotTimedOut() {
    JsonNode d =
        yaml(
            """
            kind: Deployment
            metadata: {name: web, generation: 4}
            spec: {replicas: 10}
            status: {observedGeneration: 4, replicas: 12, updatedReplicas: 6,
                     availableReplicas: 10, readyReplicas: 10}
            """);
    Instant now = STARTED.plus(Duration.ofMinutes(6));
    List<JsonNode> pods = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pods.add(
          yaml(
              """
              metadata: {name: web-%d, creationTimestamp: "%s"}
              status: {containerStatuses: [%s]}
              """
                  .formatted(i, now.minus(Duration.ofMinutes(i)), RUNNING_999)));
    }

    assertThat(assess(d, pods, now).phase()).isEqualTo(Phase.RollingOut);
  }

  @Test
  void oldPodsStillRunningKeepItInProgress() {
    JsonNode d =
        deployment(
            "{observedGeneration: 4, replicas: 3, updatedReplicas: 2, availableReplicas: 2}");

    assertThat(assess(d, List.of(pod("a", RUNNING_999)), STARTED).phase())
        .isEqualTo(Phase.RollingOut);
  }

  @Test
  void aPausedDeploymentIsUnverified() {
    JsonNode d =
        yaml(
            "{kind: Deployment, metadata: {generation: 2}, spec: {paused: true}, status:"
                + " {observedGeneration: 2}}");

    assertThat(assess(d, List.of(), STARTED).reason()).isEqualTo("Paused");
  }

  @Test
  void aStatefulSetIsDoneWhenItsRevisionsMeet() {
    String sts =
        "{kind: StatefulSet, metadata: {generation: 2}, spec: {replicas: 1}, status:"
            + " {observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 1,"
            + " currentRevision: %s, updateRevision: web-2}}";

    assertThat(assess(yaml(sts.formatted("web-1")), List.of(pod("web-0", RUNNING_999)), STARTED))
        .extracting(Progress::phase)
        .isEqualTo(Phase.RollingOut);
    assertThat(assess(yaml(sts.formatted("web-2")), List.of(pod("web-0", RUNNING_999)), STARTED))
        .extracting(Progress::phase)
        .isEqualTo(Phase.Verified);
  }

  @Test
  void anOnDeleteStatefulSetIsUnverifiedAtOnce() {
    JsonNode sts =
        yaml(
            "{kind: StatefulSet, metadata: {generation: 2}, spec: {updateStrategy: {type:"
                + " OnDelete}}, status: {observedGeneration: 1}}");

    assertThat(assess(sts, List.of(), STARTED).reason()).isEqualTo("OnDelete");
  }

  @Test
  void aDaemonSetIsDoneWhenEveryScheduledPodIsUpdatedAndAvailable() {
    String ds =
        "{kind: DaemonSet, metadata: {generation: 5}, status: {observedGeneration: 5,"
            + " desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: %d}}";

    assertThat(assess(yaml(ds.formatted(2)), List.of(), STARTED).phase())
        .isEqualTo(Phase.RollingOut);
    assertThat(assess(yaml(ds.formatted(3)), List.of(pod("n1", RUNNING_999)), STARTED).phase())
        .isEqualTo(Phase.Verified);
  }

  @Test
  void aPodRunningAsRootAfterTheChangeIsNotVerified() {
    Progress p =
        assess(
            deployment(DONE),
            List.of(pod("a", "{name: web, ready: true, user: {linux: {uid: 0}}}")),
            STARTED);

    assertThat(p.phase()).isEqualTo(Phase.Unverified);
    assertThat(p.reason()).isEqualTo("RunsAsRoot");
  }
}
