package dev.nonroot.cli;

import java.util.List;

/** scan's one-line summary on standard error. */
final class ScanSummary {
  private ScanSummary() {}

  static String of(List<WorkloadResult> results, List<FindingRow> rows, int files) {
    int compliant = 0;
    int violating = 0;
    int needsRoot = 0;
    int exempt = 0;
    int unmatched = 0;
    for (WorkloadResult r : results) {
      if (!r.matched()) {
        unmatched++;
        continue;
      }
      switch (r.evaluation().outcome()) {
        case Compliant -> compliant++;
        case NonCompliant, Unresolved -> violating++;
        case NeedsRoot -> needsRoot++;
        case Exempt -> exempt++;
      }
    }
    int scanned = results.size() - unmatched;
    long fixable = rows.stream().filter(FindingRow::fixable).count();
    StringBuilder s =
        new StringBuilder("scanned ")
            .append(Plural.of(scanned, "workload"))
            .append(" in ")
            .append(Plural.of(files, "file"))
            .append(": ")
            .append(compliant)
            .append(" compliant, ")
            .append(violating)
            .append(" violating, ")
            .append(needsRoot)
            .append(needsRoot == 1 ? " needs root, " : " need root, ")
            .append(exempt)
            .append(" exempt");
    s.append("; ").append(Plural.of(rows.size(), "finding"));
    if (!rows.isEmpty()) s.append(" (").append(fixable).append(" fixable with 'fix')");
    if (unmatched > 0) {
      s.append("; ")
          .append(Plural.of(unmatched, "workload"))
          .append(" not matched by the policy (kind or namespace)");
    }
    return s.toString();
  }
}
