package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a rollout the operator started stands, from what the workload's controller reports in its
 * status and what the pods of that rollout report: the same reading a person would make with {@code
 * kubectl rollout status} and {@code kubectl get pods}. Pure: the caller lists the pods.
 */
public final class RolloutAssessment {
  /**
   * Waiting reasons that mean the new pods will not come up by themselves. A pod that waits in one
   * of them after the operator's change is the change's failure until shown otherwise.
   */
  static final Set<String> FAILING =
      Set.of(
          "CreateContainerConfigError",
          "CreateContainerError",
          "CrashLoopBackOff",
          "RunContainerError",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName");

  /** The kinds whose controllers roll a changed template out and report it in their status. */
  private static final Set<String> FOLLOWED = Set.of("Deployment", "StatefulSet", "DaemonSet");

  private RolloutAssessment() {}

  /**
   * Whether a patch of this kind starts a rollout to follow. A ReplicaSet, Job or bare Pod does not
   * roll its pods over to a new template, so there is nothing to follow or to put back.
   */
  public static boolean follows(String kind) {
    return FOLLOWED.contains(kind);
  }

  /**
   * @param kind the workload's kind name (Deployment, StatefulSet, DaemonSet)
   * @param workload the workload as its informer sees it, status included
   * @param source the pods carrying the rollout's label
   * @param state the rollout being followed
   * @param now the time of this look
   * @param timeout how long the new pods may take to be ready
   */
  public static Progress assess(
      String kind,
      JsonNode workload,
      PodSource source,
      RolloutState state,
      Instant now,
      Duration timeout) {
    JsonNode spec = workload.path("spec");
    JsonNode status = workload.path("status");
    long generation = workload.path("metadata").path("generation").asLong(0);
    boolean observed = status.path("observedGeneration").asLong(-1) >= generation;
    Instant started = parse(state.started());
    boolean late = started != null && !now.isBefore(started.plus(timeout));
    String strategy = spec.path("updateStrategy").path("type").asText("RollingUpdate");
    if (state.phase() == Phase.Restoring
        && !TemplateHash.of(spec.path("template")).equals(state.template())) {
      // Someone changed the template the restore left: that rollout is theirs to watch.
      return Progress.unverified("TemplateChanged", "the pod template was changed since");
    }
    switch (kind) {
      case "Deployment" -> {
        if (spec.path("paused").asBoolean(false)) {
          return Progress.unverified(
              "Paused", "the Deployment is paused: its pods change when it is resumed");
        }
      }
      case "StatefulSet" -> {
        if (strategy.equals("OnDelete")) {
          return Progress.unverified(
              "OnDelete", "updateStrategy OnDelete: the pods change only when they are deleted");
        }
        if (spec.path("updateStrategy").path("rollingUpdate").path("partition").asInt(0) > 0) {
          return Progress.unverified(
              "Partitioned", "a partitioned rolling update changes only some of the pods");
        }
      }
      case "DaemonSet" -> {
        if (strategy.equals("OnDelete")) {
          return Progress.unverified(
              "OnDelete", "updateStrategy OnDelete: the pods change only when they are deleted");
        }
      }
      default -> {
        return Progress.unverified("NotFollowed", kind + " rollouts are not followed");
      }
    }
    if (!observed) {
      // No controller has acted on the change (none runs, or it is down): there is no rollout to
      // judge, and putting back a change that never reached a pod would prove nothing.
      return late
          ? Progress.unverified(
              "NotObserved",
              "the " + kind + " controller did not act on the change within " + human(timeout))
          : Progress.awaitingController("waiting for the " + kind + " controller");
    }
    List<JsonNode> pods = source.pods();
    Progress failing = failingPod(pods);
    if (failing != null) return failing;
    int replicas = spec.path("replicas").asInt(1);
    int pace = replicas;
    String waiting;
    if (kind.equals("Deployment")) {
      JsonNode progressing = condition(status, "Progressing");
      if ("ProgressDeadlineExceeded".equals(progressing.path("reason").asText())) {
        return Progress.failed("ProgressDeadlineExceeded", progressing.path("message").asText(""));
      }
      int updated = status.path("updatedReplicas").asInt(0);
      int available = status.path("availableReplicas").asInt(0);
      int total = status.path("replicas").asInt(0);
      if (updated >= replicas && available >= replicas && total <= replicas) {
        return succeeded(pods);
      }
      waiting = available + " of " + replicas + " updated replicas available";
    } else if (kind.equals("StatefulSet")) {
      String update = status.path("updateRevision").asText("");
      String current = status.path("currentRevision").asText("");
      int updated = status.path("updatedReplicas").asInt(0);
      int ready = status.path("readyReplicas").asInt(0);
      if (update.equals(current) && (replicas == 0 || updated >= replicas) && ready >= replicas) {
        return succeeded(pods);
      }
      waiting = ready + " of " + replicas + " replicas ready on the new revision";
    } else {
      int desired = status.path("desiredNumberScheduled").asInt(0);
      int updated = status.path("updatedNumberScheduled").asInt(0);
      int available = status.path("numberAvailable").asInt(0);
      if (updated >= desired && available >= desired) return succeeded(pods);
      waiting = available + " of " + desired + " scheduled pods available";
      pace = desired;
    }
    if (late) {
      // The timeout is each pod's: a rollout of many pods, each ready in time, may take longer
      // than one timeout and is healthy all along. It fails when a pod is not ready within the
      // timeout of its creation, when no pod of it exists, or when it is not done within one
      // timeout per pod (a controller that cannot create its pods, a quota).
      Duration whole = timeout.multipliedBy(Math.max(1, pace));
      boolean over = !now.isBefore(started.plus(whole));
      if (pods.isEmpty() || over || notReadyInTime(pods, started, now, timeout)) {
        String stuck = stuckPods(pods);
        return Progress.failed(
            "Timeout",
            "not ready within "
                + human(over && pace > 1 ? whole : timeout)
                + ": "
                + waiting
                + (stuck.isEmpty() ? "" : "; " + stuck));
      }
    }
    return Progress.inProgress(waiting);
  }

  /**
   * Whether a pod of the rollout has been there for the timeout (since its creation, or since the
   * rollout started if it is older or tells no time) and is still not ready.
   */
  private static boolean notReadyInTime(
      List<JsonNode> pods, Instant started, Instant now, Duration timeout) {
    for (JsonNode pod : pods) {
      if (pod.path("metadata").hasNonNull("deletionTimestamp") || ready(pod)) continue;
      Instant created = parse(pod.path("metadata").path("creationTimestamp").asText(null));
      Instant since = created == null || created.isBefore(started) ? started : created;
      if (!now.isBefore(since.plus(timeout))) return true;
    }
    return false;
  }

  /** The pod's Ready condition, or, where it reports none, every container ready. */
  private static boolean ready(JsonNode pod) {
    JsonNode ready = condition(pod.path("status"), "Ready");
    if (!ready.isMissingNode()) return "True".equals(ready.path("status").asText());
    JsonNode statuses = pod.path("status").path("containerStatuses");
    if (statuses.isEmpty()) return false;
    for (JsonNode cs : statuses) {
      if (!cs.path("ready").asBoolean(false)) return false;
    }
    return true;
  }

  /**
   * The pods of the rollout (those carrying its label), listed only when the assessment needs them:
   * a rollout no controller has acted on yet costs no request.
   */
  @FunctionalInterface
  public interface PodSource {
    List<JsonNode> pods();
  }

  /** A rollout that is still going, ended well, or failed, with its evidence. */
  /**
   * @param pod the pod whose container is failing (the evidence), or null
   */
  public record Progress(
      Phase phase, String reason, String message, Map<String, Long> uids, String pod) {
    Progress(Phase phase, String reason, String message, Map<String, Long> uids) {
      this(phase, reason, message, uids, null);
    }

    /** The reason of a rollout no controller has acted on yet. */
    public static final String AWAITING_CONTROLLER = "AwaitingController";

    static Progress inProgress(String message) {
      return new Progress(Phase.RollingOut, null, message, Map.of());
    }

    static Progress awaitingController(String message) {
      return new Progress(Phase.RollingOut, AWAITING_CONTROLLER, message, Map.of());
    }

    /**
     * Whether looking again before something changes can tell more: the pods of an observed rollout
     * can start crash-looping without any change to the workload; before the controller acts, only
     * its status write (which wakes the follower) or the timeout can.
     */
    public boolean worthPolling() {
      return phase == Phase.RollingOut && !AWAITING_CONTROLLER.equals(reason);
    }

    static Progress unverified(String reason, String message) {
      return new Progress(Phase.Unverified, reason, message, Map.of());
    }

    static Progress failed(String reason, String message) {
      return new Progress(Phase.Failed, reason, message, Map.of());
    }

    /**
     * The rollout's pods cannot be listed (RBAC without pods: list, or an API server that keeps
     * refusing): nothing to judge it by, so it ends unverified. Neither reverted on no evidence nor
     * followed for ever, holding a slot of the rollout budget.
     */
    public static Progress podsUnreadable(String why) {
      return unverified("PodsUnreadable", "the rollout's pods cannot be listed: " + why);
    }

    public boolean ended() {
      return phase.ended();
    }
  }

  private static Progress failingPod(List<JsonNode> pods) {
    for (JsonNode pod : pods) {
      if (pod.path("metadata").hasNonNull("deletionTimestamp")) continue;
      for (String list : List.of("initContainerStatuses", "containerStatuses")) {
        for (JsonNode cs : pod.path("status").path(list)) {
          JsonNode w = cs.path("state").path("waiting");
          String reason = w.path("reason").asText("");
          if (!FAILING.contains(reason)) continue;
          return new Progress(
              Phase.Failed,
              reason,
              "pod "
                  + pod.path("metadata").path("name").asText()
                  + " container "
                  + cs.path("name").asText()
                  + ": "
                  + reason
                  + (w.path("message").asText("").isEmpty()
                      ? ""
                      : ": " + w.path("message").asText()),
              Map.of(),
              pod.path("metadata").path("name").asText());
        }
      }
    }
    return null;
  }

  /**
   * Ready: Verified when every container of the rollout's pods reports a non-zero uid, Unverified
   * when the runtime reports none (Kubernetes before 1.31, or a runtime without the feature).
   */
  private static Progress succeeded(List<JsonNode> pods) {
    Map<String, Long> uids = new TreeMap<>();
    List<String> root = new ArrayList<>();
    boolean silent = false;
    int running = 0;
    for (JsonNode pod : pods) {
      if (pod.path("metadata").hasNonNull("deletionTimestamp")) continue;
      running++;
      for (JsonNode cs : pod.path("status").path("containerStatuses")) {
        JsonNode uid = cs.path("user").path("linux").path("uid");
        if (!uid.canConvertToLong()) {
          silent = true;
          continue;
        }
        String name = cs.path("name").asText();
        uids.put(name, uid.asLong());
        if (uid.asLong() == 0) root.add(name);
      }
    }
    if (running == 0) {
      return Progress.unverified("NoPods", "rolled out, but no pod of the new template runs");
    }
    if (!root.isEmpty()) {
      return new Progress(
          Phase.Unverified,
          "RunsAsRoot",
          "rolled out, but container(s) " + String.join(", ", root) + " report uid 0",
          uids);
    }
    if (silent || uids.isEmpty()) {
      return new Progress(
          Phase.Unverified,
          "UidNotReported",
          "rolled out; the container runtime reports no uid (status.containerStatuses[].user,"
              + " Kubernetes 1.31+)",
          uids);
    }
    return new Progress(
        Phase.Verified, "RolledOut", "rolled out; runs as uid " + distinct(uids), uids);
  }

  private static String distinct(Map<String, Long> uids) {
    return String.join(
        ", ", uids.values().stream().distinct().sorted().map(String::valueOf).toList());
  }

  /** What the rollout's pods wait for, when they are not failing outright. */
  private static String stuckPods(List<JsonNode> pods) {
    List<String> out = new ArrayList<>();
    for (JsonNode pod : pods) {
      for (JsonNode cs : pod.path("status").path("containerStatuses")) {
        JsonNode w = cs.path("state").path("waiting");
        if (w.isMissingNode()) continue;
        out.add(
            "pod "
                + pod.path("metadata").path("name").asText()
                + " container "
                + cs.path("name").asText()
                + " waiting: "
                + w.path("reason").asText("?")
                + (w.path("message").asText("").isEmpty()
                    ? ""
                    : ": " + w.path("message").asText()));
        if (out.size() == 3) return String.join("; ", out);
      }
    }
    if (out.isEmpty() && pods.isEmpty()) return "no pod of the new template exists";
    return String.join("; ", out);
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) return c;
    }
    return MissingNode.getInstance();
  }

  private static Instant parse(String time) {
    if (time == null) return null;
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A duration as a policy spells it: {@code 90s}, {@code 5m}, {@code 1h}. */
  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s % 3600 == 0 && s > 0) return s / 3600 + "h";
    if (s % 60 == 0 && s > 0) return s / 60 + "m";
    return s + "s";
  }
}
