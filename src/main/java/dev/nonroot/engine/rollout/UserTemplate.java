package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.record.RecordedPatch;

/**
 * The pod template as the user wrote it before the remediation a rollout state names: the
 * workload's template with that remediation's fields that still hold its values put back, and the
 * remediation label as it was. While its hash is the state's {@code template}, nobody but the
 * operator changed the template since, so what was decided for that template (held after a revert,
 * the rescue's port strategy) still applies.
 */
public final class UserTemplate {
  private UserTemplate() {}

  public static String hash(Workload workload, RolloutState state) {
    if (state.phase().held()) {
      // The revert already put the template back: it is the user's as it stands.
      return TemplateHash.of(workload.template());
    }
    ObjectNode copy = workload.root().deepCopy();
    Reversion back = Reversion.of(workload.ref(), copy, RecordedPatch.recordOf(copy), state);
    PlanApplier.apply(copy, back.changes());
    var label =
        workload.templatePath().key("metadata").key("labels").key(Annotations.REMEDIATION_LABEL);
    if (state.previousLabel() == null) {
      if (Trees.valueAt(copy, label) != null) PlanApplier.apply(copy, label, null);
    } else {
      PlanApplier.apply(copy, label, TextNode.valueOf(state.previousLabel()));
    }
    return TemplateHash.of(Trees.at(copy, workload.templatePath()));
  }
}
