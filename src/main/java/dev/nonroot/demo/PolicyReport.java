package dev.nonroot.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.RecordedChange;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.kubesim.HumanDuration;
import dev.nonroot.kubesim.PrinterJsonPath;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the demo prints: the policy table (the CRD's printer columns, as kubectl shows them) and the
 * record.
 */
final class PolicyReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> POD_SPEC_PREFIXES =
      List.of("spec.jobTemplate.spec.template.spec.", "spec.template.spec.");

  private PolicyReport() {}

  static String table(CustomResourceDefinition crd, List<NonRootPolicy> policies, Clock clock) {
    List<CustomResourceColumnDefinition> columns =
        crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
            .filter(c -> c.getPriority() == null || c.getPriority() == 0)
            .toList();
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add("NAME");
    columns.forEach(c -> header.add(c.getName().toUpperCase(Locale.ROOT)));
    rows.add(header);
    for (NonRootPolicy p : policies) {
      JsonNode tree = JSON.valueToTree(p);
      List<String> row = new ArrayList<>();
      row.add(p.getMetadata().getName());
      for (CustomResourceColumnDefinition c : columns) {
        List<JsonNode> values = PrinterJsonPath.parse(c.getJsonPath()).select(tree);
        String v = values.isEmpty() ? "" : values.get(0).asText();
        row.add("date".equals(c.getType()) ? HumanDuration.since(v, clock) : v);
      }
      rows.add(row);
    }
    return render(rows, "   ");
  }

  /** The record grouped by object: one header per object, one line per field. */
  static String changes(List<NonRootPolicy> policies) {
    StringBuilder b = new StringBuilder();
    for (NonRootPolicy p : policies) {
      if (p.getStatus() == null) continue;
      Map<String, List<RecordedChange>> byObject = new TreeMap<>();
      for (RecordedChange c : p.getStatus().getWorkloadChanges()) {
        byObject
            .computeIfAbsent(
                c.getKind()
                    + " "
                    + c.getNamespace()
                    + "/"
                    + c.getName()
                    + "  ["
                    + switch (c.getAction()) {
                      case "WouldPatch" -> "would patch";
                      case "Reverted" -> "reverted, its rollout failed,";
                      default -> "patched";
                    }
                    + " by "
                    + p.getMetadata().getName()
                    + "]",
                k -> new ArrayList<>())
            .add(c);
      }
      byObject.forEach(
          (object, changes) -> {
            b.append("  ").append(object).append('\n');
            List<List<String>> rows = new ArrayList<>();
            for (RecordedChange c : changes) {
              rows.add(
                  List.of(
                      shortField(c.getField()),
                      c.getFrom() == null ? "<unset>" : c.getFrom(),
                      "->",
                      c.getTo() == null ? "<removed>" : c.getTo()));
            }
            rows.sort(Comparator.comparing(r -> r.get(0)));
            render(rows, "  ").lines().forEach(l -> b.append("    ").append(l).append('\n'));
          });
      if (p.getStatus().getTruncated() > 0) {
        b.append("  (")
            .append(p.getStatus().getTruncated())
            .append(" older changes of ")
            .append(p.getMetadata().getName())
            .append(" are only on the workloads' nonroot.dev/changes annotations)\n");
      }
    }
    return b.length() == 0 ? "  (none)\n" : b.toString();
  }

  /**
   * Where each rollout the operator started stands, from the workloads' nonroot.dev/rollout
   * annotations: verified with the uid its pods report, or reverted with the evidence and hint.
   */
  static String rollouts(List<HasMetadata> workloads) {
    List<List<String>> rows = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (HasMetadata w : workloads) {
      Map<String, String> a = w.getMetadata().getAnnotations();
      var state = RolloutState.parse(a == null ? null : a.get(Annotations.ROLLOUT));
      if (state.isEmpty()) continue;
      RolloutState r = state.get();
      String what =
          r.phase()
              + (r.attempt() > 1 ? " (attempt " + r.attempt() + ", " + r.strategy() + ")" : "");
      rows.add(
          List.of(
              w.getKind() + " " + w.getMetadata().getNamespace() + "/" + w.getMetadata().getName(),
              what,
              r.message() == null ? "" : r.message()));
      if (r.hint() != null) details.add(rows.get(rows.size() - 1).get(0) + " hint: " + r.hint());
    }
    if (rows.isEmpty()) return "  (none)\n";
    rows.sort(Comparator.comparing(r -> r.get(0)));
    StringBuilder b = new StringBuilder();
    render(rows, "  ").lines().forEach(l -> b.append("  ").append(l).append('\n'));
    details.forEach(d -> b.append("  ").append(d).append('\n'));
    return b.toString();
  }

  static String needsRoot(List<NonRootPolicy> policies) {
    StringBuilder b = new StringBuilder();
    for (NonRootPolicy p : policies) {
      if (p.getStatus() == null || p.getStatus().getNeedsRoot() == 0) continue;
      b.append("  ")
          .append(p.getMetadata().getName())
          .append(": ")
          .append(p.getStatus().getNeedsRoot())
          .append(" workload(s) left unchanged — ");
      b.append(
          p.getStatus().getNeedsRootReasons().entrySet().stream()
              .map((Map.Entry<String, Integer> e) -> e.getKey() + ": " + e.getValue())
              .collect(Collectors.joining(", ")));
      b.append('\n');
    }
    return b.length() == 0 ? "  (none)\n" : b.toString();
  }

  private static String shortField(String field) {
    for (String prefix : POD_SPEC_PREFIXES) {
      if (field != null && field.startsWith(prefix)) return field.substring(prefix.length());
    }
    return field;
  }

  private static String render(List<List<String>> rows, String gap) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) widths[i] = Math.max(widths[i], r.get(i).length());
    }
    StringBuilder b = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i));
        if (i < r.size() - 1) line.append(" ".repeat(widths[i] - r.get(i).length())).append(gap);
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
