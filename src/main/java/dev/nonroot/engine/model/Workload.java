package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.WorkloadKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A workload object as a JSON tree, with where its pod template lives. The tree is the caller's;
 * the engine only reads it.
 */
public final class Workload {
  private final WorkloadKind kind;
  private final ObjectRef ref;
  private final ObjectNode root;
  private final FieldPath podSpecPath;
  private final FieldPath templateMetaPath;

  private Workload(
      WorkloadKind kind,
      ObjectRef ref,
      ObjectNode root,
      FieldPath podSpecPath,
      FieldPath templateMetaPath) {
    this.kind = kind;
    this.ref = ref;
    this.root = root;
    this.podSpecPath = podSpecPath;
    this.templateMetaPath = templateMetaPath;
  }

  /**
   * Per kind, where the pod spec and the template's metadata are: built once, read for every
   * object.
   */
  private static final Map<WorkloadKind, FieldPath[]> PATHS = new EnumMap<>(WorkloadKind.class);

  static {
    for (WorkloadKind kind : WorkloadKind.values()) {
      FieldPath template = FieldPath.root();
      for (String key : kind.templatePath()) template = template.key(key);
      PATHS.put(kind, new FieldPath[] {template.key("spec"), template.key("metadata")});
    }
  }

  /** The workload inside {@code root}, or empty when it is no supported kind or has no pod spec. */
  public static Optional<Workload> of(JsonNode root) {
    if (!(root instanceof ObjectNode obj)) return Optional.empty();
    Optional<WorkloadKind> kind =
        WorkloadKind.of(obj.path("apiVersion").asText(""), obj.path("kind").asText(""));
    return kind.flatMap(k -> of(k, obj));
  }

  /** The workload inside {@code root}, whose kind the caller already knows (an informer's type). */
  public static Optional<Workload> of(WorkloadKind kind, ObjectNode obj) {
    FieldPath[] paths = PATHS.get(kind);
    FieldPath podSpec = paths[0];
    FieldPath templateMeta = paths[1];
    if (!(Trees.at(obj, podSpec) instanceof ObjectNode)) return Optional.empty();
    JsonNode meta = obj.path("metadata");
    ObjectRef ref =
        new ObjectRef(kind.name(), meta.path("namespace").asText(""), meta.path("name").asText(""));
    return Optional.of(new Workload(kind, ref, obj, podSpec, templateMeta));
  }

  /**
   * Where an object of a workload kind has no pod spec to judge: the first field on the way to it
   * that is missing or not an object ({@code spec.template is null}). The API server refuses such
   * an object; only files and servers without a schema carry one.
   */
  public record MissingPodSpec(FieldPath field, String problem) {}

  /**
   * Why {@code root} is of a workload kind but its pod spec is null or not an object, or empty
   * (also when the pod spec is simply absent).
   */
  public static Optional<MissingPodSpec> missingPodSpec(JsonNode root) {
    if (!(root instanceof ObjectNode obj)) return Optional.empty();
    Optional<WorkloadKind> kind =
        WorkloadKind.of(obj.path("apiVersion").asText(""), obj.path("kind").asText(""));
    if (kind.isEmpty()) return Optional.empty();
    FieldPath at = FieldPath.root();
    JsonNode node = obj;
    List<String> keys = new ArrayList<>(kind.get().templatePath());
    keys.add("spec");
    for (String key : keys) {
      at = at.key(key);
      node = node.get(key);
      // Absent: a partial object, such as a kustomize patch that sets replicas or labels; not a
      // workload to judge. Only a template that is there and unreadable is a mistake.
      if (node == null) return Optional.empty();
      if (node.isNull()) return Optional.of(new MissingPodSpec(at, at.display() + " is null"));
      if (!node.isObject()) {
        String type =
            node.isArray()
                ? "a list"
                : node.isTextual()
                    ? "a string"
                    : "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        return Optional.of(
            new MissingPodSpec(at, at.display() + " is " + type + ", not an object"));
      }
    }
    return Optional.empty();
  }

  public WorkloadKind kind() {
    return kind;
  }

  public ObjectRef ref() {
    return ref;
  }

  public ObjectNode root() {
    return root;
  }

  public FieldPath podSpecPath() {
    return podSpecPath;
  }

  /**
   * The namespace used for matching: objects without one land in "default", as kubectl would put
   * them.
   */
  public String effectiveNamespace() {
    return ref.namespace().isEmpty() ? "default" : ref.namespace();
  }

  public ObjectNode podSpec() {
    return (ObjectNode) Trees.at(root, podSpecPath);
  }

  /** Where the pod template is in the tree. */
  public FieldPath templatePath() {
    return podSpecPath.parent();
  }

  /** The pod template (its metadata and spec). */
  public ObjectNode template() {
    return (ObjectNode) Trees.at(root, podSpecPath.parent());
  }

  public Map<String, String> labels() {
    return Trees.stringMap(root.path("metadata").path("labels"));
  }

  public Map<String, String> annotations() {
    return Trees.stringMap(root.path("metadata").path("annotations"));
  }

  public Map<String, String> podLabels() {
    return Trees.stringMap(Trees.at(root, templateMetaPath).path("labels"));
  }
}
