package dev.nonroot.operator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON trees of cached objects, converted once per resourceVersion: a status pass over thousands of
 * workloads then converts only what changed since the last pass. Trees are shared, so callers must
 * only read them (the engine never writes to its input).
 */
final class TreeCache {
  private record Entry(String resourceVersion, ObjectNode tree) {}

  private final Map<String, Entry> byUid = new ConcurrentHashMap<>();

  ObjectNode tree(HasMetadata resource) {
    String uid = resource.getMetadata().getUid();
    String version = resource.getMetadata().getResourceVersion();
    if (uid == null || version == null) return ObjectTrees.of(resource);
    Entry e = byUid.get(uid);
    if (e != null && e.resourceVersion().equals(version)) return e.tree();
    ObjectNode tree = ObjectTrees.of(resource);
    byUid.put(uid, new Entry(version, tree));
    return tree;
  }

  /** Forgets objects that are gone. */
  void retainOnly(Set<String> uids) {
    byUid.keySet().retainAll(uids);
  }
}
