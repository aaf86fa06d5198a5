package dev.nonroot.cli;

import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import java.util.List;

/**
 * Joins several files into one multi-document YAML stream for standard output: a file that does not
 * start with --- gets one, and a missing final newline is added between files, so no two documents
 * run into each other.
 */
final class StreamJoiner {
  private StreamJoiner() {}

  static String join(List<ManifestFile> files, List<String> texts) {
    if (texts.size() == 1) return texts.get(0);
    StringBuilder out = new StringBuilder();
    boolean contentBefore = false;
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') out.append('\n');
      if (contentBefore && !text.isEmpty() && !startsWithMarker(files.get(i))) out.append("---\n");
      out.append(text);
      contentBefore |= files.get(i).documents().stream().anyMatch(d -> d.tree() != null);
    }
    return out.toString();
  }

  /** Whether the first document opens with --- (after any comments). */
  private static boolean startsWithMarker(ManifestFile f) {
    if (f.documents().isEmpty()) return false;
    ManifestDocument first = f.documents().get(0);
    for (String line : first.raw().split("\n", -1)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#") || t.startsWith("%") || t.equals("\uFEFF")) continue;
      return t.equals("---")
          || t.startsWith("--- ")
          || t.startsWith("---\t")
          || t.startsWith("\uFEFF---");
    }
    return false;
  }
}
