package dev.nonroot.engine.model;

/** Identifies one object: kind, namespace (empty for cluster-scoped) and name. */
public record ObjectRef(String kind, String namespace, String name)
    implements Comparable<ObjectRef> {
  public ObjectRef {
    namespace = namespace == null ? "" : namespace;
    name = name == null ? "" : name;
  }

  @Override
  public int compareTo(ObjectRef o) {
    int c = namespace.compareTo(o.namespace);
    if (c != 0) return c;
    c = kind.compareTo(o.kind);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }
}
