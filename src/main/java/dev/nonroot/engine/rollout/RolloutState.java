package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.Trees;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nonroot.dev/rollout annotation: the rollout the operator's last patch of a workload started,
 * and where it stands. It is written in the same request as the patch (RollingOut), and once more
 * when the rollout ends (Verified, Unverified, or the revert's own write), so a restarted operator
 * resumes following exactly where the last one was, and a reverted remediation is never applied
 * again to the template it broke.
 *
 * @param phase where the rollout stands
 * @param policy the policy whose patch started it
 * @param label the value of the nonroot.dev/remediation pod label the patch set: the pods of this
 *     rollout, and only those, carry it
 * @param previousLabel that label's value before the patch (null: none), which a revert restores
 * @param started when the patch was written (RFC 3339), also the time of its record entries
 * @param template hash of the pod template before the patch: a revert restores exactly it, and
 *     while the workload still has it the reverted change is not applied again
 * @param attempt 1 for the first remediation of that template, 2 for the rescue
 * @param strategy the port strategy the attempt used
 * @param movedPorts whether the attempt moved container ports (a crash may be the move's fault)
 * @param reason a short reason for the phase (e.g. CrashLoopBackOff, Timeout), or null
 * @param message the evidence: a container's waiting message, a condition's message, or null
 * @param hint what to use instead, for a well-known image that needs root, or null
 * @param uids the uid each container's process runs as, as its pods report it
 * @param time when the phase was reached
 * @param created the parent objects of the template (JSON pointers) that the patch created because
 *     they were absent, which a revert removes again once empty; an empty parent the user wrote (a
 *     Helm chart's {@code securityContext: {}}) is not among them and stays. Null when not
 *     recorded: every parent the revert empties goes.
 */
public record RolloutState(
    Phase phase,
    String policy,
    String label,
    String previousLabel,
    String started,
    String template,
    int attempt,
    String strategy,
    boolean movedPorts,
    String reason,
    String message,
    String hint,
    Map<String, Long> uids,
    String time,
    List<String> created) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a rollout the operator started stands. */
  public enum Phase {
    /** The patch was written; its pods are not all ready yet. */
    RollingOut,
    /** Every pod of the new template is ready and reports a non-zero uid. */
    Verified,
    /** Ready, but the runtime reports no uid (or the workload does not roll out by itself). */
    Unverified,
    /** The rollout failed; the remediation's fields were put back. */
    Reverted,
    /** The rollout failed and could not be put back. */
    Failed,
    /**
     * A policy with spec.onDelete: Revert put its changes back (deleted, or the workload left its
     * match): that rollout is followed to its end, then the state goes with the rest of the
     * operator's marks. It carries no pod label: the pods are the user's own again.
     */
    Restoring,
    /**
     * Someone kept setting back the change this rollout applied, and the operator stopped (the
     * workload is in Conflict): whatever rolls out now is the other writer's template, not the
     * operator's change, so it is neither judged nor put back, even once the owner puts the fix in
     * Git and the template holds the operator's values again.
     */
    Conflict;

    /** Whether the rollout is over and what it left is final for this template. */
    public boolean ended() {
      return this != RollingOut && this != Restoring;
    }

    /** Whether the remediation is off for the template it broke. */
    public boolean held() {
      return this == Reverted || this == Failed;
    }
  }

  public RolloutState {
    uids = uids == null ? Map.of() : Map.copyOf(new TreeMap<>(uids));
    created = created == null ? null : List.copyOf(created);
  }

  /** A state that does not record which parents its patch created. */
  public RolloutState(
      Phase phase,
      String policy,
      String label,
      String previousLabel,
      String started,
      String template,
      int attempt,
      String strategy,
      boolean movedPorts,
      String reason,
      String message,
      String hint,
      Map<String, Long> uids,
      String time) {
    this(
        phase,
        policy,
        label,
        previousLabel,
        started,
        template,
        attempt,
        strategy,
        movedPorts,
        reason,
        message,
        hint,
        uids,
        time,
        null);
  }

  /** The state a workload carries, or empty when it has none or the annotation is damaged. */
  public static Optional<RolloutState> of(JsonNode workload) {
    JsonNode v = workload.path("metadata").path("annotations").path(Annotations.ROLLOUT);
    return parse(v.isTextual() ? v.asText() : null);
  }

  /**
   * Whether an annotation value may be a state whose rollout is under way (RollingOut, Restoring):
   * a look at the text, not a parse, for the hot paths (every update event, every cached workload
   * at start) that only filter on it.
   */
  public static boolean mayBeRollingOut(String annotation) {
    return annotation != null
        && (annotation.contains("\"" + Phase.RollingOut.name() + "\"")
            || annotation.contains("\"" + Phase.Restoring.name() + "\""));
  }

  public static Optional<RolloutState> parse(String annotation) {
    if (annotation == null || annotation.isBlank()) return Optional.empty();
    try {
      JsonNode o = JSON.readTree(annotation);
      Phase phase = Phase.valueOf(o.path("phase").asText(""));
      // Without its policy and a readable start a rollout cannot be timed or put back: damaged.
      if (text(o, "policy") == null) return Optional.empty();
      Instant.parse(String.valueOf(text(o, "started")));
      Map<String, Long> uids = new TreeMap<>();
      o.path("uids").fields().forEachRemaining(e -> uids.put(e.getKey(), e.getValue().asLong()));
      List<String> created = null;
      if (o.path("created").isArray()) {
        created = new ArrayList<>();
        for (JsonNode c : o.path("created")) created.add(c.asText());
      }
      return Optional.of(
          new RolloutState(
              phase,
              text(o, "policy"),
              text(o, "label"),
              text(o, "previousLabel"),
              text(o, "started"),
              text(o, "template"),
              o.path("attempt").asInt(1),
              text(o, "strategy"),
              o.path("movedPorts").asBoolean(false),
              text(o, "reason"),
              text(o, "message"),
              text(o, "hint"),
              uids,
              text(o, "time"),
              created));
    } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
      // A damaged or foreign value follows nothing and holds nothing back.
      return Optional.empty();
    }
  }

  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("phase", phase.name());
    put(o, "policy", policy);
    put(o, "label", label);
    put(o, "previousLabel", previousLabel);
    put(o, "started", started);
    put(o, "template", template);
    o.put("attempt", attempt);
    put(o, "strategy", strategy);
    if (movedPorts) o.put("movedPorts", true);
    put(o, "reason", reason);
    put(o, "message", message);
    put(o, "hint", hint);
    if (!uids.isEmpty()) {
      ObjectNode u = o.putObject("uids");
      uids.forEach(u::put);
    }
    put(o, "time", time);
    if (created != null) {
      ArrayNode c = o.putArray("created");
      created.forEach(c::add);
    }
    return o.toString();
  }

  /** This rollout, ended in {@code next} for {@code reason} with the evidence, at {@code now}. */
  public RolloutState ended(
      Phase next,
      String reason,
      String message,
      String hint,
      Map<String, Long> reported,
      String now) {
    return new RolloutState(
        next,
        policy,
        label,
        previousLabel,
        started,
        template,
        attempt,
        strategy,
        movedPorts,
        reason,
        message,
        hint,
        reported,
        now,
        created);
  }

  /**
   * Whether the workload's pod template still carries this rollout's label (nobody replaced it).
   */
  public boolean live(JsonNode podTemplate) {
    return label != null
        && label.equals(
            Trees.stringMap(podTemplate.path("metadata").path("labels"))
                .get(Annotations.REMEDIATION_LABEL));
  }

  private static void put(ObjectNode o, String key, String value) {
    if (value != null) o.put(key, value);
  }

  private static String text(JsonNode o, String key) {
    JsonNode v = o.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
