package dev.nonroot.operator;

import dev.nonroot.engine.model.ObjectRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per decision that wrote to the cluster or put a change back: policy, object, outcome
 * and how many fields, never the object's content. The same facts travel as key-value pairs, which
 * the JSON log format turns into fields of their own. Its own logger, so the decisions can be kept
 * while the rest is turned down.
 */
final class DecisionLog {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);

  /** The policy's patch was written (a workload's fix, or a Service's targetPort). */
  static final String REMEDIATED = "remediated";

  /** The rollout the patch started ended with every new pod ready and a uid reported. */
  static final String VERIFIED = "verified";

  /** The rollout ended ready, but no uid was reported (or the workload does not roll out). */
  static final String UNVERIFIED = "unverified";

  /** The rollout failed and the remediation was put back. */
  static final String REVERTED = "reverted";

  /** The rollout failed and nothing could be put back (changed since by someone else). */
  static final String NOT_REVERTED = "not-reverted";

  /** Someone keeps setting back the fix: the operator stops patching the workload. */
  static final String CONFLICT = "conflict";

  /** A policy with spec.onDelete: Revert put its changes back. */
  static final String RESTORED = "restored";

  /** A rollout of the operator's ended by a Conflict: someone keeps setting its change back. */
  static final String SET_BACK = "set-back";

  /** The rollout a restore started ended (ready or not: the template is the user's own again). */
  static final String RESTORE_ENDED = "restore-ended";

  /** The API server refused the patch (not a conflict). */
  static final String PATCH_FAILED = "patch-failed";

  private DecisionLog() {}

  /** A write that changed {@code fields} fields of the object. */
  static void changed(ObjectRef object, String policy, String outcome, int fields) {
    about(LOG.atInfo(), object, policy, outcome)
        .addKeyValue("fields", fields)
        .log("{}: {} by policy {} ({} field(s))", object, outcome, policy, fields);
  }

  /** A write that recorded how the policy's rollout ended. */
  static void ended(ObjectRef object, String policy, String outcome) {
    about(LOG.atInfo(), object, policy, outcome)
        .log("{}: rollout of policy {}'s change {}", object, policy, outcome);
  }

  /** A write the API server refused; {@code reason} is its first line, without any body. */
  static void failed(ObjectRef object, String policy, int code, String reason) {
    about(LOG.atWarn(), object, policy, PATCH_FAILED)
        .addKeyValue("code", code)
        .log("{}: patch of policy {} failed ({}): {}", object, policy, code, reason);
  }

  private static LoggingEventBuilder about(
      LoggingEventBuilder b, ObjectRef object, String policy, String outcome) {
    return b.addKeyValue("policy", policy)
        .addKeyValue("kind", object.kind())
        .addKeyValue("namespace", object.namespace())
        .addKeyValue("name", object.name())
        .addKeyValue("outcome", outcome);
  }
}
