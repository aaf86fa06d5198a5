package dev.nonroot.manifest;

/**
 * One String per mapping key name: twenty thousand manifests repeat "name", "image" and
 * "containerPort" hundreds of thousands of times, and each copy would be allocated, hashed again by
 * its map and kept for as long as the tree lives.
 *
 * <p>A fixed table without locks: a slot holds an immutable String or null, so a reader racing a
 * writer sees one or the other, and a miss only costs a new String, which is always correct.
 */
final class KeyNames {
  private static final int SIZE = 4096;
  private static final int LONGEST = 64;
  private static final String[] TABLE = new String[SIZE];

  private KeyNames() {}

  /** {@code line.substring(from, to)}, shared with every earlier key of the same name. */
  static String of(String line, int from, int to) {
    int length = to - from;
    if (length > LONGEST) return line.substring(from, to);
    int h = 0;
    for (int i = from; i < to; i++) h = 31 * h + line.charAt(i);
    int slot = (h ^ (h >>> 16)) & (SIZE - 1);
    String known = TABLE[slot];
    if (known != null && known.length() == length && line.regionMatches(from, known, 0, length)) {
      return known;
    }
    String fresh = line.substring(from, to);
    TABLE[slot] = fresh;
    return fresh;
  }
}
