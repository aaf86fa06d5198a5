package dev.nonroot.kubesim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table of how field ownership sees an object: the list and map types that the Kubernetes
 * OpenAPI declares ({@code x-kubernetes-list-type}, {@code x-kubernetes-list-map-keys}, {@code
 * x-kubernetes-map-type}, {@code x-kubernetes-struct-type}) for the fields of the kinds this server
 * tracks. Whatever the table does not name has the OpenAPI default, as for a custom resource whose
 * CRD declares nothing: an object is owned field by field, a list is atomic (owned as one leaf,
 * like {@code command}, {@code args}, {@code capabilities.add} and {@code drop}, {@code
 * tolerations}, {@code envFrom}).
 *
 * <p>A field marked {@link #always} is a Go struct value rather than a pointer: kube-apiserver sees
 * it present even when empty (on create the "before" is a zero Go object), so nobody owns it as a
 * node of its own and it never gets a {@code .} marker; {@code spec.template} of a Deployment is
 * one, a container's {@code securityContext} is not.
 */
final class FieldTypes {
  private FieldTypes() {}

  /** How one node is owned. */
  enum Kind {
    /** Fields owned one by one; fields not in {@link Shape#fields} are {@link #DEDUCED}. */
    STRUCT,
    /** One leaf, whatever it holds: an atomic list, map or struct. */
    ATOMIC,
    /** {@code x-kubernetes-list-type: map}: items owned one by one under {@code k:{keys}}. */
    ASSOCIATIVE_LIST,
    /** {@code x-kubernetes-list-type: set}: scalar items owned one by one under {@code v:value}. */
    SET,
    /** Not owned by anybody (server-set metadata). */
    IGNORED
  }

  /**
   * One node of the table.
   *
   * @param fields a struct's known fields
   * @param always a struct's fields that are present even when absent from the JSON
   * @param keys an associative list's key fields, sorted by name as kube-apiserver prints them
   * @param keyDefaults the value a key takes when an item omits it ({@code protocol: TCP})
   * @param items an associative list's item shape
   */
  record Shape(
      Kind kind,
      Map<String, Shape> fields,
      Set<String> always,
      List<String> keys,
      Map<String, String> keyDefaults,
      Shape items) {

    /** The shape of a struct's field; {@link #DEDUCED} for a field the table does not name. */
    Shape field(String name) {
      Shape s = fields.get(name);
      return s == null ? DEDUCED : s;
    }

    boolean isAlways(String name) {
      return always.contains(name);
    }
  }

  /** A field in a {@link #struct}. */
  record Field(String name, Shape shape, boolean always) {}

  /** A struct, a map or a list: whatever the JSON holds, with the OpenAPI defaults below it. */
  static final Shape DEDUCED = struct();

  static final Shape ATOMIC = new Shape(Kind.ATOMIC, Map.of(), Set.of(), List.of(), Map.of(), null);
  static final Shape SET = new Shape(Kind.SET, Map.of(), Set.of(), List.of(), Map.of(), null);
  static final Shape IGNORED =
      new Shape(Kind.IGNORED, Map.of(), Set.of(), List.of(), Map.of(), null);

  // ---- the table -------------------------------------------------------------------------------

  private static final Shape OBJECT_META =
      struct(field("finalizers", SET), field("ownerReferences", keyedList(ATOMIC, "uid")));

  /** An object's own metadata: what kube-apiserver sets itself is nobody's. */
  private static final Shape ROOT_META =
      struct(
          field("finalizers", SET),
          field("ownerReferences", keyedList(ATOMIC, "uid")),
          field("name", IGNORED),
          field("namespace", IGNORED),
          field("creationTimestamp", IGNORED),
          field("selfLink", IGNORED),
          field("uid", IGNORED),
          field("clusterName", IGNORED),
          field("generation", IGNORED),
          field("managedFields", IGNORED),
          field("resourceVersion", IGNORED));

  private static final Shape CONDITIONS = keyedList(DEDUCED, "type");

  private static final Shape CONTAINER =
      struct(
          field("ports", keyedList(DEDUCED, "containerPort", "protocol=TCP")),
          field(
              "env",
              keyedList(
                  struct(
                      field(
                          "valueFrom",
                          struct(
                              field("configMapKeyRef", ATOMIC),
                              field("secretKeyRef", ATOMIC),
                              field("fieldRef", ATOMIC),
                              field("resourceFieldRef", ATOMIC)))),
                  "name")),
          field("volumeMounts", keyedList(DEDUCED, "mountPath")),
          field("volumeDevices", keyedList(DEDUCED, "devicePath")),
          field("resources", struct(field("claims", keyedList(DEDUCED, "name")))));

  private static final Shape POD_SPEC =
      struct(
          always("containers", keyedList(CONTAINER, "name")),
          field("initContainers", keyedList(CONTAINER, "name")),
          field("ephemeralContainers", keyedList(CONTAINER, "name")),
          field("volumes", keyedList(DEDUCED, "name")),
          field("imagePullSecrets", keyedList(ATOMIC, "name")),
          field("hostAliases", keyedList(DEDUCED, "ip")),
          field(
              "topologySpreadConstraints", keyedList(DEDUCED, "topologyKey", "whenUnsatisfiable")),
          field("resourceClaims", keyedList(DEDUCED, "name")),
          field("schedulingGates", keyedList(DEDUCED, "name")),
          field("nodeSelector", ATOMIC),
          field(
              "affinity",
              struct(
                  field(
                      "nodeAffinity",
                      struct(field("requiredDuringSchedulingIgnoredDuringExecution", ATOMIC))))));

  private static final Shape POD_TEMPLATE =
      struct(always("metadata", OBJECT_META), always("spec", POD_SPEC));

  private static final Shape JOB_SPEC =
      struct(field("selector", ATOMIC), always("template", POD_TEMPLATE));

  /** A status whose conditions are keyed by type (Job's are not). */
  private static final Shape STATUS_WITH_CONDITIONS = struct(field("conditions", CONDITIONS));

  /** Root shapes of the built-in kinds, by kind; anything else gets {@link #OTHER}. */
  private static final Map<String, Shape> KINDS =
      Map.ofEntries(
          Map.entry(
              "Deployment",
              root(
                  struct(
                      field("selector", ATOMIC),
                      always("template", POD_TEMPLATE),
                      always("strategy", DEDUCED)),
                  STATUS_WITH_CONDITIONS)),
          Map.entry(
              "StatefulSet",
              root(
                  struct(
                      field("selector", ATOMIC),
                      always("template", POD_TEMPLATE),
                      always("updateStrategy", DEDUCED)),
                  STATUS_WITH_CONDITIONS)),
          Map.entry(
              "DaemonSet",
              root(
                  struct(
                      field("selector", ATOMIC),
                      always("template", POD_TEMPLATE),
                      always("updateStrategy", DEDUCED)),
                  STATUS_WITH_CONDITIONS)),
          Map.entry(
              "ReplicaSet",
              root(
                  struct(field("selector", ATOMIC), always("template", POD_TEMPLATE)),
                  STATUS_WITH_CONDITIONS)),
          // Job conditions are x-kubernetes-list-type: atomic.
          Map.entry("Job", root(JOB_SPEC, DEDUCED)),
          Map.entry(
              "CronJob",
              root(
                  struct(
                      always(
                          "jobTemplate",
                          struct(always("metadata", OBJECT_META), always("spec", JOB_SPEC)))),
                  DEDUCED)),
          Map.entry(
              "Pod",
              root(
                  POD_SPEC,
                  struct(
                      field("conditions", CONDITIONS),
                      field("podIPs", keyedList(DEDUCED, "ip")),
                      field("hostIPs", keyedList(DEDUCED, "ip"))))),
          Map.entry(
              "Service",
              root(
                  struct(
                      field("ports", keyedList(DEDUCED, "port", "protocol=TCP")),
                      field("selector", ATOMIC)),
                  STATUS_WITH_CONDITIONS)),
          Map.entry("Namespace", root(DEDUCED, STATUS_WITH_CONDITIONS)),
          Map.entry("CustomResourceDefinition", root(DEDUCED, STATUS_WITH_CONDITIONS)));

  /** Custom resources and kinds not in the table: only metadata is known. */
  private static final Shape OTHER =
      struct(field("apiVersion", IGNORED), field("kind", IGNORED), always("metadata", ROOT_META));

  // ---- lookups and builders --------------------------------------------------------------------

  /** The root shape of objects of this kind; custom resources are never looked up by kind. */
  static Shape of(String kind, boolean custom) {
    Shape s = custom || kind == null ? null : KINDS.get(kind);
    return s == null ? OTHER : s;
  }

  private static Shape root(Shape spec, Shape status) {
    return struct(
        field("apiVersion", IGNORED),
        field("kind", IGNORED),
        always("metadata", ROOT_META),
        always("spec", spec),
        always("status", status));
  }

  private static Field field(String name, Shape shape) {
    return new Field(name, shape, false);
  }

  private static Field always(String name, Shape shape) {
    return new Field(name, shape, true);
  }

  private static Shape struct(Field... fields) {
    Map<String, Shape> shapes = new HashMap<>();
    Set<String> always = new HashSet<>();
    for (Field f : fields) {
      shapes.put(f.name(), f.shape());
      if (f.always()) {
        always.add(f.name());
      }
    }
    return new Shape(
        Kind.STRUCT, Map.copyOf(shapes), Set.copyOf(always), List.of(), Map.of(), null);
  }

  /** Keys as {@code name} or {@code name=default}. */
  private static Shape keyedList(Shape items, String... keys) {
    Map<String, String> defaults = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (String k : keys) {
      int eq = k.indexOf('=');
      String name = eq < 0 ? k : k.substring(0, eq);
      names.add(name);
      if (eq >= 0) {
        defaults.put(name, k.substring(eq + 1));
      }
    }
    names.sort(null);
    return new Shape(
        Kind.ASSOCIATIVE_LIST, Map.of(), Set.of(), List.copyOf(names), Map.copyOf(defaults), items);
  }
}
