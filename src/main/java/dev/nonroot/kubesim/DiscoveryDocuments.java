package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The legacy (unaggregated) discovery documents kubectl reads to learn resource types: {@code
 * /version}, {@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/<group>}, {@code
 * /apis/<group>/<version>}. kubectl 1.32 asks for the aggregated v2 form first and falls back to
 * these whenever the response's Content-Type is not the aggregated one.
 */
final class DiscoveryDocuments {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The Kubernetes version the server claims: kubectl 1.32 is within its supported skew. */
  static final String MAJOR = "1";

  static final String MINOR = "32";
  static final String GIT_VERSION = "v1.32.0-nonroot-demo";

  private final ResourceCatalog catalog;
  private final Supplier<String> serverAddress;

  /**
   * @param serverAddress host:port clients reach the server at (known only once it listens)
   */
  DiscoveryDocuments(ResourceCatalog catalog, Supplier<String> serverAddress) {
    this.catalog = catalog;
    this.serverAddress = serverAddress;
  }

  ObjectNode version() {
    ObjectNode v = JSON.objectNode();
    v.put("major", MAJOR);
    v.put("minor", MINOR);
    v.put("gitVersion", GIT_VERSION);
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2024-12-11T00:00:00Z");
    v.put("goVersion", "n/a");
    v.put("compiler", "n/a");
    v.put(
        "platform",
        System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT)
            + "/"
            + System.getProperty("os.arch", "amd64"));
    return v;
  }

  /** {@code /}: the paths a client may probe. */
  ObjectNode rootPaths() {
    ObjectNode root = JSON.objectNode();
    ArrayNode paths = root.putArray("paths");
    paths.add("/api").add("/api/v1").add("/apis");
    for (String group : catalog.groups()) {
      paths.add("/apis/" + group);
      catalog.versions(group).forEach(v -> paths.add("/apis/" + group + "/" + v));
    }
    paths.add("/version");
    return root;
  }

  /** {@code /api}: the core group's versions. */
  ObjectNode apiVersions() {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    ObjectNode address = doc.putArray("serverAddressByClientCIDRs").addObject();
    address.put("clientCIDR", "0.0.0.0/0");
    address.put("serverAddress", serverAddress.get());
    return doc;
  }

  /** {@code /apis}. */
  ObjectNode apiGroupList() {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    for (String group : catalog.groups()) {
      groups.add(groupBody(group));
    }
    return doc;
  }

  /** {@code /apis/<group>}, empty when the group is unknown. */
  Optional<ObjectNode> apiGroup(String group) {
    if (!catalog.groups().contains(group)) {
      return Optional.empty();
    }
    ObjectNode doc = groupBody(group);
    doc.put("kind", "APIGroup");
    doc.put("apiVersion", "v1");
    return Optional.of(doc);
  }

  /** {@code /api/v1} (group "") or {@code /apis/<group>/<version>}, empty when unknown. */
  Optional<ObjectNode> resourceList(String group, String version) {
    List<ResourceType> types = catalog.resources(group, version);
    if (types.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = doc.putArray("resources");
    for (ResourceType t : types) {
      ObjectNode r = resources.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      strings(r.putArray("verbs"), t.verbs());
      if (!t.shortNames().isEmpty()) {
        strings(r.putArray("shortNames"), t.shortNames());
      }
      if (!t.categories().isEmpty()) {
        strings(r.putArray("categories"), t.categories());
      }
      if (t.statusSubresource()) {
        ObjectNode status = resources.addObject();
        status.put("name", t.plural() + "/status");
        status.put("singularName", "");
        status.put("namespaced", t.namespaced());
        status.put("kind", t.kind());
        strings(status.putArray("verbs"), ResourceType.STATUS_VERBS);
      }
      if (!t.custom() && ScaleSubresource.SCALABLE.contains(t.plural())) {
        ObjectNode scale = resources.addObject();
        scale.put("name", t.plural() + "/scale");
        scale.put("singularName", "");
        scale.put("namespaced", t.namespaced());
        scale.put("group", "autoscaling");
        scale.put("version", "v1");
        scale.put("kind", "Scale");
        strings(scale.putArray("verbs"), ResourceType.STATUS_VERBS);
      }
    }
    return Optional.of(doc);
  }

  private ObjectNode groupBody(String group) {
    ObjectNode g = JSON.objectNode();
    g.put("name", group);
    ArrayNode versions = g.putArray("versions");
    String preferred = catalog.preferredVersion(group);
    for (String v : catalog.versions(group)) {
      versions.addObject().put("groupVersion", group + "/" + v).put("version", v);
    }
    g.putObject("preferredVersion")
        .put("groupVersion", group + "/" + preferred)
        .put("version", preferred);
    return g;
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
