package dev.nonroot.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.GitOpsMode;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Finding;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.manifest.LineLocator;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One finding as scan prints it: where (file and line of the field, or of the container or object),
 * what and why. {@code from}/{@code to} are JSON values; null when absent (from) or removed (to).
 */
@JsonPropertyOrder({
  "file",
  "line",
  "kind",
  "namespace",
  "name",
  "container",
  "rule",
  "field",
  "from",
  "to",
  "fixable",
  "message"
})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record FindingRow(
    String file,
    int line,
    String kind,
    String namespace,
    String name,
    String container,
    String rule,
    String field,
    JsonNode from,
    JsonNode to,
    boolean fixable,
    String message) {

  /** Every finding of every matched workload, in input order. */
  static List<FindingRow> of(List<WorkloadResult> results, ManifestInventory inventory) {
    List<FindingRow> rows = new ArrayList<>();
    for (WorkloadResult r : results) {
      if (!r.matched()) continue;
      for (Finding f : r.evaluation().findings()) rows.add(of(r, f, inventory));
      if (r.decision().gitopsAdvice() != null && r.evaluation().hasPlan()) rows.add(gitops(r));
    }
    return rows;
  }

  /**
   * A workload Argo CD or Flux manages: in the cluster the operator reports it and does not patch
   * it (spec.gitops), so this row says who owns it and where its fixes go.
   */
  private static FindingRow gitops(WorkloadResult r) {
    ObjectRef ref = r.workload().ref();
    ManifestObject o = r.object();
    return new FindingRow(
        o.document().file().name(),
        LineLocator.line(o.document(), o.pointerPrefix() + r.decision().gitops().at().pointer()),
        ref.kind(),
        ref.namespace(),
        ref.name(),
        null,
        Rule.GitOps.name(),
        null,
        null,
        null,
        false,
        r.decision().gitopsAdvice()
            + "; in the cluster, spec.gitops: "
            + r.policy().gitops()
            + (r.policy().gitops() == GitOpsMode.Skip
                ? " leaves it alone"
                : " reports it and does not patch it"));
  }

  private static FindingRow of(WorkloadResult r, Finding f, ManifestInventory inventory) {
    ManifestObject target = r.object();
    if (!f.target().equals(r.workload().ref())) {
      List<ManifestObject> services = inventory.serviceObjects(f.target());
      if (!services.isEmpty()) target = services.get(0);
    }
    Change fix = f.fix();
    String pointer =
        f.at() != null
            ? target.pointerPrefix() + f.at().pointer()
            : containerPointer(r, f.container());
    int line = pointer == null ? target.line() : LineLocator.line(target.document(), pointer);
    ObjectRef ref = f.target();
    return new FindingRow(
        target.document().file().name(),
        line,
        ref.kind(),
        ref.namespace(),
        ref.name(),
        f.container(),
        f.rule().name(),
        fix == null ? null : target.fieldPrefix() + fix.field(),
        fix == null ? null : fix.oldValue(),
        fix == null ? null : fix.newValue(),
        f.fixable(),
        f.message());
  }

  private static String containerPointer(WorkloadResult r, String container) {
    if (container == null) return null;
    for (String list : List.of("initContainers", "containers")) {
      JsonNode items = r.workload().podSpec().path(list);
      for (int i = 0; i < items.size(); i++) {
        if (container.equals(items.get(i).path("name").asText(null))) {
          return r.object().pointerPrefix()
              + r.workload().podSpecPath().pointer()
              + "/"
              + list
              + "/"
              + i;
        }
      }
    }
    return null;
  }

  /** "file:line" */
  String location() {
    return file + ":" + line;
  }

  /** "namespace/name", or just the name when the manifest sets no namespace. */
  String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
