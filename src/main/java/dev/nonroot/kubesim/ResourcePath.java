package dev.nonroot.kubesim;

import java.util.Optional;

/**
 * A resource URL split into its parts: {@code /api/v1/namespaces/ns/pods/name/status} or {@code
 * /apis/apps/v1/deployments}. {@code namespace}, {@code name} and {@code subresource} may be null.
 */
record ResourcePath(
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource) {

  /** Parses a path without its query; empty for anything that is not a resource URL. */
  static Optional<ResourcePath> parse(String path) {
    String[] s = path.replaceAll("^/+", "").replaceAll("/+$", "").split("/");
    int i;
    String group;
    if (s.length >= 3 && s[0].equals("api")) {
      group = "";
      i = 1;
    } else if (s.length >= 4 && s[0].equals("apis")) {
      group = s[1];
      i = 2;
    } else {
      return Optional.empty();
    }
    String version = s[i++];
    int rest = s.length - i;
    // namespaces/<ns>/<plural>[/<name>[/<sub>]] is namespaced; namespaces/<name>[/<sub>] is a
    // Namespace.
    if (rest >= 3 && s[i].equals("namespaces") && !isNamespaceSubresource(s[i + 2], rest)) {
      String namespace = s[i + 1];
      return Optional.of(
          new ResourcePath(group, version, namespace, s[i + 2], at(s, i + 3), at(s, i + 4)));
    }
    return Optional.of(new ResourcePath(group, version, null, s[i], at(s, i + 1), at(s, i + 2)));
  }

  private static boolean isNamespaceSubresource(String third, int rest) {
    return rest == 3 && (third.equals("status") || third.equals("finalize"));
  }

  private static String at(String[] s, int i) {
    return i < s.length ? s[i] : null;
  }

  boolean isCollection() {
    return name == null;
  }

  boolean isStatus() {
    return "status".equals(subresource);
  }

  /** The path of the object itself, without any subresource. */
  String objectPath() {
    return collectionPath() + (name == null ? "" : "/" + name);
  }

  String collectionPath() {
    StringBuilder b =
        new StringBuilder(group.isEmpty() ? "/api/" : "/apis/" + group + "/").append(version);
    if (namespace != null) {
      b.append("/namespaces/").append(namespace);
    }
    return b.append('/').append(plural).toString();
  }

  ResourcePath withName(String newName) {
    return new ResourcePath(group, version, namespace, plural, newName, null);
  }
}
