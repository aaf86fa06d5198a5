package dev.nonroot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes a tree as {@code kubectl get -o yaml} prints it (sigs.k8s.io/yaml over go-yaml v2): keys
 * sorted, two-space indentation, list items at their key's column, empty maps as {}, strings that
 * would read as another type double-quoted, other strings that cannot be plain single-quoted.
 */
final class KubectlYaml {
  // What YAML 1.1 (go-yaml v2) would read as something other than a string.
  private static final Pattern NOT_A_STRING =
      Pattern.compile(
          "^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO"
              + "|on|On|ON|off|Off|OFF|[-+]?[0-9_]+(\\.[0-9_]*)?([eE][-+]?[0-9]+)?"
              + "|[-+]?\\.[0-9_]+([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|[-+]?\\.(inf|Inf|INF)"
              + "|\\.(nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?)$");

  private KubectlYaml() {}

  static String write(JsonNode root) {
    StringBuilder out = new StringBuilder();
    mapping(out, root, 0);
    return out.toString();
  }

  private static void mapping(StringBuilder out, JsonNode map, int indent) {
    List<String> keys = new ArrayList<>();
    map.fieldNames().forEachRemaining(keys::add);
    keys.sort(null);
    boolean first = true;
    for (String k : keys) {
      // The first entry of a list item shares the dash's line.
      if (!(first && out.length() > 0 && out.charAt(out.length() - 1) == ' ')) {
        out.append(" ".repeat(indent));
      }
      first = false;
      out.append(scalar(k)).append(':');
      value(out, map.get(k), indent, false);
    }
  }

  private static void value(StringBuilder out, JsonNode v, int indent, boolean inList) {
    if (v.isObject() && !v.isEmpty()) {
      out.append('\n');
      mapping(out, v, indent + 2);
    } else if (v.isArray() && !v.isEmpty()) {
      out.append('\n');
      for (JsonNode item : v) {
        out.append(" ".repeat(indent)).append("- ");
        if (item.isObject() && !item.isEmpty()) {
          mapping(out, item, indent + 2);
        } else {
          out.append(inline(item)).append('\n');
        }
      }
    } else {
      out.append(' ').append(inline(v)).append('\n');
    }
  }

  private static String inline(JsonNode v) {
    if (v.isObject()) return "{}";
    if (v.isArray()) return "[]";
    if (v.isNull()) return "null";
    if (!v.isTextual()) return v.asText();
    return scalar(v.asText());
  }

  private static String scalar(String s) {
    if (s.isEmpty() || NOT_A_STRING.matcher(s).matches()) return '"' + s + '"';
    boolean plain =
        "-?:,[]{}#&*!|>'\"%@`".indexOf(s.charAt(0)) < 0
            && !s.contains(": ")
            && !s.contains(" #")
            && !s.endsWith(":")
            && !s.startsWith(" ")
            && !s.endsWith(" ");
    return plain ? s : "'" + s.replace("'", "''") + "'";
  }
}
