package dev.nonroot.cli;

import java.util.ArrayList;
import java.util.List;

/** scan's default output: one aligned row per finding, the message last and never cut. */
final class FindingTable {
  private static final String[] HEADERS = {
    "LOCATION", "KIND", "NAME", "CONTAINER", "RULE", "FIX", "MESSAGE"
  };

  private FindingTable() {}

  static String render(List<FindingRow> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADERS);
    for (FindingRow r : rows) {
      cells.add(
          new String[] {
            r.location(),
            r.kind(),
            r.qualifiedName(),
            r.container() == null ? "-" : r.container(),
            r.rule(),
            r.fixable() ? "yes" : "no",
            r.message()
          });
    }
    int[] width = new int[HEADERS.length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        out.append(row[i]);
        if (i < row.length - 1) out.append(" ".repeat(width[i] - row[i].length() + 2));
      }
      out.append('\n');
    }
    return out.toString();
  }
}
