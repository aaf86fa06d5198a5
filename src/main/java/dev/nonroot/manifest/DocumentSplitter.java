package dev.nonroot.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a YAML stream into its documents as raw text, so untouched documents can be written back
 * byte for byte. A document marker ({@code ---} or {@code ...} at column 0, followed by a blank or
 * the line end) can never occur inside a scalar, so a line scan finds the boundaries exactly.
 * Comments and directives before a document's {@code ---} stay with that document.
 */
final class DocumentSplitter {
  /** One document's text: [start, end) of the stream, starting on 1-based line {@code line}. */
  record Chunk(int start, int end, int line) {}

  private DocumentSplitter() {}

  static List<Chunk> split(String text) {
    List<Chunk> out = new ArrayList<>();
    int chunkStart = 0;
    int chunkLine = 1;
    boolean hasContent = false;
    int pos = 0;
    int line = 1;
    while (pos < text.length()) {
      int nl = text.indexOf('\n', pos);
      int next = nl < 0 ? text.length() : nl + 1;
      int kind = classify(text, pos, nl < 0 ? text.length() : nl);
      if (kind == START) {
        if (hasContent) {
          out.add(new Chunk(chunkStart, pos, chunkLine));
          chunkStart = pos;
          chunkLine = line;
        }
        hasContent = true;
      } else if (kind == END) {
        out.add(new Chunk(chunkStart, next, chunkLine));
        chunkStart = next;
        chunkLine = line + 1;
        hasContent = false;
      } else if (kind == CONTENT) {
        hasContent = true;
      }
      pos = next;
      line++;
    }
    if (chunkStart < text.length()) out.add(new Chunk(chunkStart, text.length(), chunkLine));
    return out;
  }

  static final int BLANK = 0;
  static final int CONTENT = 1;
  static final int START = 2;
  static final int END = 3;

  /** BLANK covers empty, comment and directive lines: none of them starts a document. */
  static int classify(String text, int from, int to) {
    if (from == 0 && from < to && text.charAt(0) == '\uFEFF') from++;
    if (to > from && text.charAt(to - 1) == '\r') to--;
    if (marker(text, from, to, '-')) return START;
    if (marker(text, from, to, '.')) return END;
    if (from < to && text.charAt(from) == '%') return BLANK;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') continue;
      return c == '#' ? BLANK : CONTENT;
    }
    return BLANK;
  }

  private static boolean marker(String text, int from, int to, char c) {
    if (to - from < 3) return false;
    if (text.charAt(from) != c || text.charAt(from + 1) != c || text.charAt(from + 2) != c)
      return false;
    return to - from == 3 || text.charAt(from + 3) == ' ' || text.charAt(from + 3) == '\t';
  }
}
