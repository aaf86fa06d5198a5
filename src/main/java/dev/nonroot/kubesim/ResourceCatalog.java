package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every resource type the server serves: the built-ins plus those of each stored CRD. Thread-safe.
 */
final class ResourceCatalog {
  private final List<ResourceType> builtIns;
  private final Map<String, List<ResourceType>> crdTypes = new LinkedHashMap<>();
  private final Map<String, String> crdStorageVersions = new LinkedHashMap<>();
  private final Map<String, String> crdGroups = new LinkedHashMap<>();

  ResourceCatalog(List<ResourceType> builtIns) {
    this.builtIns = List.copyOf(builtIns);
  }

  /** Registers (or re-registers) the types of one CRD, keyed by its metadata.name. */
  synchronized void putCrd(JsonNode crd) {
    String name = crd.at("/metadata/name").asText("");
    List<ResourceType> types = CrdResources.from(crd);
    if (name.isEmpty() || types.isEmpty()) {
      return;
    }
    crdTypes.put(name, types);
    crdGroups.put(name, types.get(0).group());
    String storage = CrdResources.storageVersion(crd);
    if (storage != null) {
      crdStorageVersions.put(name, storage);
    }
  }

  synchronized void removeCrd(String name) {
    crdTypes.remove(name);
    crdStorageVersions.remove(name);
    crdGroups.remove(name);
  }

  synchronized List<ResourceType> all() {
    List<ResourceType> all = new ArrayList<>(builtIns);
    crdTypes.values().forEach(all::addAll);
    return all;
  }

  Optional<ResourceType> find(String group, String version, String plural) {
    return all().stream()
        .filter(
            t ->
                t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
        .findFirst();
  }

  /** Named API groups (not the core group), built-ins first, in a stable order. */
  List<String> groups() {
    Set<String> groups = new LinkedHashSet<>();
    all()
        .forEach(
            t -> {
              if (!t.group().isEmpty()) {
                groups.add(t.group());
              }
            });
    return List.copyOf(groups);
  }

  List<String> versions(String group) {
    Set<String> versions = new LinkedHashSet<>();
    all().stream().filter(t -> t.group().equals(group)).forEach(t -> versions.add(t.version()));
    return List.copyOf(versions);
  }

  synchronized String preferredVersion(String group) {
    for (Map.Entry<String, String> e : crdGroups.entrySet()) {
      if (e.getValue().equals(group) && crdStorageVersions.containsKey(e.getKey())) {
        return crdStorageVersions.get(e.getKey());
      }
    }
    List<String> versions = versions(group);
    return versions.isEmpty() ? null : versions.get(0);
  }

  List<ResourceType> resources(String group, String version) {
    return all().stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version))
        .toList();
  }
}
