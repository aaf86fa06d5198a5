package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The type a plain scalar reads back as, for the writer: a string may be written plain only when
 * both Kubernetes (go-yaml v2 rules, see {@link PlainScalars}) and a YAML 1.1 reader read it back
 * as a string. {@code "8080"}, {@code "yes"}, {@code "1e3"}, {@code "12:30"} and {@code
 * "2001-12-14"} get quotes.
 */
final class ScalarTyping extends Resolver {
  static final ScalarTyping INSTANCE = new ScalarTyping();

  private ScalarTyping() {}

  @Override
  public Tag resolve(NodeId kind, String value, boolean implicit) {
    if (kind != NodeId.scalar || !implicit) return super.resolve(kind, value, implicit);
    if (!value.isEmpty() && ordinaryText(value.charAt(0))) return Tag.STR;
    JsonNode v = PlainScalars.value(value);
    if (v.isNull()) return Tag.NULL;
    if (v.isBoolean()) return Tag.BOOL;
    if (v.isIntegralNumber()) return Tag.INT;
    if (v.isNumber()) return Tag.FLOAT;
    Tag yaml11 = super.resolve(kind, value, true);
    return yaml11.equals(Tag.STR) || !plainSafe(value) ? Tag.STR : yaml11;
  }

  /**
   * A first character that starts no null, boolean, number, timestamp or YAML 1.1 special (=, <<):
   * such text is a string under every rule set.
   */
  private static boolean ordinaryText(char c) {
    return (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_')
        && "nNyYtTfFoO".indexOf(c) < 0;
  }

  /** Whether a string must be quoted to read back as the same string. */
  static boolean needsQuotes(String s) {
    return !INSTANCE.resolve(NodeId.scalar, s, true).equals(Tag.STR)
        || !plainSafe(s)
        || !s.equals(s.strip())
        || s.isEmpty();
  }

  /** Characters that plain (and block) style cannot carry as they are. */
  private static boolean plainSafe(String s) {
    if (!StreamReader.isPrintable(s)) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\uFEFF' || c == '\t')
        return false;
    }
    return true;
  }
}
