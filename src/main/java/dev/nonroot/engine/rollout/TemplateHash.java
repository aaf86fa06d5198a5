package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * A short, stable hash of a pod template: the same template (whatever the order of its keys) gives
 * the same hash, so "the template this remediation broke" can be recognised after a restart. A null
 * or empty object counts as absent ({@code securityContext: {}} is no securityContext to the
 * kubelet), so a revert that leaves or prunes an empty parent is the same template.
 */
public final class TemplateHash {
  private TemplateHash() {}

  /**
   * Template annotations that restart the pods without changing what they run ({@code kubectl
   * rollout restart}, and tools that restart on a ConfigMap change the same way): a restart of the
   * template a remediation broke is still that template.
   */
  private static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  public static String of(JsonNode template) {
    JsonNode restarted = template.path("metadata").path("annotations").path(RESTARTED_AT);
    if (!restarted.isMissingNode() && template instanceof ObjectNode o) {
      ObjectNode copy = o.deepCopy();
      ((ObjectNode) copy.path("metadata").path("annotations")).remove(RESTARTED_AT);
      template = copy;
    }
    StringBuilder canonical = new StringBuilder();
    write(template, canonical);
    return hex(canonical.toString()).substring(0, 16);
  }

  /** A label value (at most 63 characters) naming one remediation of one template at one time. */
  public static String label(String template, int attempt, String time) {
    return hex(template + "|" + attempt + "|" + time).substring(0, 10);
  }

  private static void write(JsonNode n, StringBuilder out) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      out.append("null");
    } else if (n.isObject()) {
      List<String> keys = new ArrayList<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) keys.add(it.next());
      keys.sort(null);
      out.append('{');
      for (String k : keys) {
        if (absent(n.get(k))) continue;
        out.append(quoted(k)).append(':');
        write(n.get(k), out);
        out.append(',');
      }
      out.append('}');
    } else if (n.isArray()) {
      out.append('[');
      for (JsonNode item : n) {
        write(item, out);
        out.append(',');
      }
      out.append(']');
    } else {
      out.append(n.toString());
    }
  }

  private static boolean absent(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return true;
    if (!n.isObject()) return false;
    for (JsonNode child : n) {
      if (!absent(child)) return false;
    }
    return true;
  }

  private static String quoted(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String hex(String s) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
