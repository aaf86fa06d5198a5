package dev.nonroot.cli;

/** fix's one-line summary on standard error. */
final class FixSummary {
  private FixSummary() {}

  static String of(ManifestFixer.Result r, boolean inPlace) {
    StringBuilder s = new StringBuilder();
    long applied = r.appliedChanges();
    if (applied == 0) {
      long checked = r.results().size() - r.unmatched();
      s.append("nothing to fix in ").append(Plural.of(checked, "workload"));
    } else {
      s.append("fixed ")
          .append(Plural.of(applied, "change"))
          .append(" in ")
          .append(Plural.of(r.workloadsChanged(), "workload"));
      if (r.servicesChanged() > 0)
        s.append(" and ").append(Plural.of(r.servicesChanged(), "service"));
      s.append(" across ").append(Plural.of(r.filesChanged(), "file"));
      if (inPlace) s.append(" (rewritten in place)");
    }
    if (r.needsRoot() > 0) {
      s.append("; ")
          .append(Plural.of(r.needsRoot(), "workload"))
          .append(r.needsRoot() == 1 ? " needs" : " need")
          .append(" root (left unchanged)");
    }
    if (r.manualFindings() > 0) {
      s.append("; ")
          .append(Plural.of(r.manualFindings(), "finding"))
          .append(" cannot be fixed automatically (see scan)");
    }
    if (r.auditChanges() > 0) {
      s.append("; ").append(Plural.of(r.auditChanges(), "change")).append(" not made: Audit mode");
    }
    if (r.unmatched() > 0) {
      s.append("; ")
          .append(Plural.of(r.unmatched(), "workload"))
          .append(" not matched by the policy");
    }
    return s.toString();
  }
}
