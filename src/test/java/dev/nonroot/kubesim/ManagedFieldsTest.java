package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Field ownership as kube-apiserver records it for Update operations: which fields a write owns,
 * how they are spelled in FieldsV1, and how they move between managers.
 */
class ManagedFieldsTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String T1 = "2026-12-01T10:00:00Z";
  private static final String T2 = "2026-12-01T10:05:00Z";
  private static final String T3 = "2026-12-01T10:09:00Z";

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: shop
        uid: 0b7c1a
        resourceVersion: "12"
        generation: 1
        creationTimestamp: "2026-12-01T10:00:00Z"
        labels: {app: web}
        finalizers: [example.com/keep]
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
        template:
          metadata: {labels: {app: web}}
          spec:
            securityContext: {}
            imagePullSecrets: [{name: registry}]
            containers:
            - name: web
              image: nginx:1.27
              args: [--port, "80"]
              ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]
              env: [{name: PORT, value: "80"}]
              securityContext:
                runAsNonRoot: false
                capabilities: {drop: [ALL]}
            - name: metrics
              image: statsd:1
      status:
        replicas: 2
      """;

  @Test
  void aCreateOwnsEveryFieldItSetSpelledAsKubeApiserverSpellsIt() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");

    assertThat(created.at("/metadata/managedFields")).hasSize(1);
    JsonNode entry = created.at("/metadata/managedFields/0");
    assertThat(entry.path("manager").asText()).isEqualTo("kubectl-create");
    assertThat(entry.path("operation").asText()).isEqualTo("Update");
    assertThat(entry.path("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(entry.path("time").asText()).isEqualTo(T1);
    assertThat(entry.path("fieldsType").asText()).isEqualTo("FieldsV1");
    assertThat(entry.has("subresource")).isFalse();
    // Server-set metadata, apiVersion, kind and (status subresource) status are nobody's; struct
    // values and never-omitted fields (metadata, spec, template, strategy, containers) get no "."
    // marker; keys are sorted JSON with defaults filled in; capabilities.drop, args and the
    // selector are atomic; an imagePullSecrets item is an atomic struct.
    assertThat(entry.path("fieldsV1"))
        .isEqualTo(
            yaml(
                """
            f:metadata:
              f:finalizers:
                .: {}
                v:"example.com/keep": {}
              f:labels:
                .: {}
                f:app: {}
            f:spec:
              f:replicas: {}
              f:selector: {}
              f:strategy:
                f:rollingUpdate:
                  .: {}
                  f:maxSurge: {}
                f:type: {}
              f:template:
                f:metadata:
                  f:labels:
                    .: {}
                    f:app: {}
                f:spec:
                  f:containers:
                    k:{"name":"metrics"}:
                      .: {}
                      f:image: {}
                      f:name: {}
                    k:{"name":"web"}:
                      .: {}
                      f:args: {}
                      f:env:
                        .: {}
                        k:{"name":"PORT"}:
                          .: {}
                          f:name: {}
                          f:value: {}
                      f:image: {}
                      f:name: {}
                      f:ports:
                        .: {}
                        k:{"containerPort":53,"protocol":"UDP"}:
                          .: {}
                          f:containerPort: {}
                          f:protocol: {}
                        k:{"containerPort":80,"protocol":"TCP"}:
                          .: {}
                          f:containerPort: {}
                      f:securityContext:
                        .: {}
                        f:capabilities:
                          .: {}
                          f:drop: {}
                        f:runAsNonRoot: {}
                  f:imagePullSecrets:
                    .: {}
                    k:{"name":"registry"}: {}
                  f:securityContext: {}
            """));
    // In kube-apiserver's order: "." first, then fields, then items.
    List<String> order = new ArrayList<>();
    entry
        .at("/fieldsV1/f:spec/f:template/f:spec/f:containers/k:{\"name\":\"web\"}")
        .fieldNames()
        .forEachRemaining(order::add);
    assertThat(order)
        .containsExactly(
            ".", "f:args", "f:env", "f:image", "f:name", "f:ports", "f:securityContext");
  }

  @Test
  void aPatchOfOneContainerFieldMovesJustThatFieldToTheNewManager() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    ObjectNode patched = copy(created);
    container(patched, 0).with("securityContext").put("runAsNonRoot", true);

    ManagedFields.record(created, patched, shape(), true, "nonroot-operator", null, T2);

    assertThat(fields(patched, "nonroot-operator"))
        .isEqualTo(
            yaml(
                """
            f:spec:
              f:template:
                f:spec:
                  f:containers:
                    k:{"name":"web"}:
                      f:securityContext:
                        f:runAsNonRoot: {}
            """));
    FieldSet creator = FieldSet.fromFieldsV1(fields(patched, "kubectl-create"));
    assertThat(creator.contains(RUN_AS_NON_ROOT)).isFalse();
    assertThat(creator.contains(WEB_CONTAINER))
        .as("the container item and its other fields stay the creator's")
        .isTrue();
    assertThat(creator.contains(securityContext("f:capabilities", "f:drop"))).isTrue();
    assertThat(entry(patched, "nonroot-operator").path("time").asText()).isEqualTo(T2);
    assertThat(entry(patched, "kubectl-create").path("time").asText())
        .as("only the writer's time moves")
        .isEqualTo(T1);

    // A GitOps controller sets it back: the field is its own now, and the operator, which owned
    // nothing else, has no entry left.
    ObjectNode reverted = copy(patched);
    container(reverted, 0).with("securityContext").put("runAsNonRoot", false);
    ManagedFields.record(patched, reverted, shape(), true, "argocd-controller", null, T3);

    assertThat(
            FieldSet.fromFieldsV1(fields(reverted, "argocd-controller")).contains(RUN_AS_NON_ROOT))
        .isTrue();
    assertThat(managers(reverted)).containsExactly("kubectl-create", "argocd-controller");
  }

  @Test
  void aRemovedFieldIsNobodysAndAnEntryLeftEmptyIsDropped() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    ObjectNode labelled = copy(created);
    ((ObjectNode) labelled.at("/metadata/labels")).put("team", "a");
    ManagedFields.record(created, labelled, shape(), true, "labeller", null, T2);
    assertThat(fields(labelled, "labeller"))
        .isEqualTo(yaml("f:metadata: {f:labels: {f:team: {}}}"));

    // Someone else removes the label and a port: both leave every entry, and the labeller's
    // entry, empty now, goes; the remover owns nothing new, so it gets no entry.
    ObjectNode removed = copy(labelled);
    ((ObjectNode) removed.at("/metadata/labels")).remove("team");
    ((ArrayNode) container(removed, 0).get("ports")).remove(1);
    ManagedFields.record(labelled, removed, shape(), true, "cleaner", null, T3);

    assertThat(managers(removed)).containsExactly("kubectl-create");
    FieldSet creator = FieldSet.fromFieldsV1(fields(removed, "kubectl-create"));
    assertThat(creator.contains(port("k:{\"containerPort\":53,\"protocol\":\"UDP\"}"))).isFalse();
    assertThat(creator.contains(port("k:{\"containerPort\":80,\"protocol\":\"TCP\"}"))).isTrue();
    assertThat(entry(removed, "kubectl-create").path("time").asText()).isEqualTo(T1);
  }

  @Test
  void reorderingAKeyedListOrWritingTheSameValuesChangesNoOwnership() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    ObjectNode reordered = copy(created);
    ArrayNode containers = (ArrayNode) reordered.at("/spec/template/spec/containers");
    JsonNode first = containers.remove(0);
    containers.add(first);
    container(reordered, 0).put("image", "statsd:1"); // the same value again

    ManagedFields.record(created, reordered, shape(), true, "sorter", null, T2);

    assertThat(reordered.at("/metadata/managedFields"))
        .isEqualTo(created.at("/metadata/managedFields"));
  }

  @Test
  void anAtomicListIsOwnedWholeByItsLastWriter() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    ObjectNode patched = copy(created);
    container(patched, 0).with("securityContext").with("capabilities").putArray("drop").add("ALL");
    container(patched, 0)
        .with("securityContext")
        .with("capabilities")
        .putArray("add")
        .add("NET_BIND_SERVICE");

    ManagedFields.record(created, patched, shape(), true, "nonroot-operator", null, T2);

    assertThat(fields(patched, "nonroot-operator"))
        .as("drop is unchanged ([ALL] both times); add is new and owned as one leaf")
        .isEqualTo(
            yaml(
                """
            f:spec:
              f:template:
                f:spec:
                  f:containers:
                    k:{"name":"web"}:
                      f:securityContext:
                        f:capabilities:
                          f:add: {}
            """));
  }

  @Test
  void statusWritesOwnOnlyStatusAndMainWritesNeverOwnStatus() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    assertThat(fields(created, "kubectl-create").has("f:status")).isFalse();

    ObjectNode status = copy(created);
    status.with("status").put("readyReplicas", 2);
    status
        .with("status")
        .putArray("conditions")
        .addObject()
        .put("type", "Available")
        .put("status", "True");
    ((ObjectNode) status.get("spec")).put("replicas", 9); // not the status writer's
    ManagedFields.record(created, status, shape(), true, "kube-controller-manager", "status", T2);

    JsonNode entry = entry(status, "kube-controller-manager");
    assertThat(entry.path("subresource").asText()).isEqualTo("status");
    assertThat(entry.path("fieldsV1"))
        .isEqualTo(
            yaml(
                """
            f:status:
              f:conditions:
                .: {}
                k:{"type":"Available"}:
                  .: {}
                  f:status: {}
                  f:type: {}
              f:readyReplicas: {}
            """));

    // The same manager writing the main resource gets an entry of its own.
    ObjectNode scaled = copy(status);
    ((ObjectNode) scaled.get("spec")).put("replicas", 3);
    ManagedFields.record(status, scaled, shape(), true, "kube-controller-manager", null, T3);
    assertThat(scaled.at("/metadata/managedFields"))
        .extracting(e -> e.path("manager").asText() + "/" + e.path("subresource").asText("-"))
        .containsExactly(
            "kubectl-create/-", "kube-controller-manager/status", "kube-controller-manager/-");
  }

  @Test
  void aClientMaySetManagedFieldsOnAMainResourceWriteButNotThroughStatus() {
    ObjectNode seeded = yaml(DEPLOYMENT);
    ((ObjectNode) seeded.get("metadata"))
        .putArray("managedFields")
        .addObject()
        .put("manager", "argocd-controller")
        .put("operation", "Update")
        .put("apiVersion", "apps/v1")
        .put("time", "2026-11-30T00:00:00Z")
        .put("fieldsType", "FieldsV1")
        .set("fieldsV1", yaml("f:spec: {f:replicas: {}, f:paused: {}}"));

    ManagedFields.record(null, seeded, shape(), true, "kubectl-create", null, T1);

    assertThat(managers(seeded)).containsExactly("argocd-controller", "kubectl-create");
    assertThat(fields(seeded, "argocd-controller"))
        .as("the creator wrote replicas, so it is the creator's now")
        .isEqualTo(yaml("f:spec: {f:paused: {}}"));

    ObjectNode status = copy(seeded);
    ((ObjectNode) status.get("metadata")).putArray("managedFields");
    status.with("status").put("readyReplicas", 1);
    ManagedFields.record(seeded, status, shape(), true, "kube-controller-manager", "status", T2);
    assertThat(managers(status))
        .containsExactly("argocd-controller", "kubectl-create", "kube-controller-manager");
  }

  @Test
  void aClearedListResetsManagedFields() {
    ObjectNode created = create(DEPLOYMENT, "kubectl-create");
    ObjectNode reset = copy(created);
    ((ObjectNode) reset.get("metadata")).putArray("managedFields").addObject();

    ManagedFields.record(created, reset, shape(), true, "admin", null, T2);

    assertThat(reset.at("/metadata/managedFields")).isEmpty();
  }

  @Test
  void servicePortsAreKeyedByPortAndProtocolAndTheSelectorIsAtomic() {
    ObjectNode service =
        yaml(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """);

    ManagedFields.record(
        null, service, FieldTypes.of("Service", false), true, "kubectl-create", null, T1);

    assertThat(fields(service, "kubectl-create"))
        .isEqualTo(
            yaml(
                """
            f:spec:
              f:ports:
                .: {}
                k:{"port":80,"protocol":"TCP"}:
                  .: {}
                  f:port: {}
                  f:targetPort: {}
              f:selector: {}
            """));
  }

  @Test
  void aCustomResourceHasOnlyOpenApiDefaults() {
    ObjectNode policy =
        yaml(
            """
            apiVersion: nonroot.dev/v1alpha1
            kind: NonRootPolicy
            metadata: {name: baseline}
            spec: {mode: Enforce, namespaces: [shop]}
            """);

    ManagedFields.record(
        null, policy, FieldTypes.of("NonRootPolicy", true), true, "kubectl-create", null, T1);

    assertThat(fields(policy, "kubectl-create"))
        .isEqualTo(yaml("f:spec: {.: {}, f:mode: {}, f:namespaces: {}}"));
  }

  private static final String[] WEB_CONTAINER = {
    "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}"
  };
  private static final String[] RUN_AS_NON_ROOT = securityContext("f:runAsNonRoot");

  private static String[] securityContext(String... below) {
    List<String> path = new ArrayList<>(List.of(WEB_CONTAINER));
    path.add("f:securityContext");
    path.addAll(List.of(below));
    return path.toArray(String[]::new);
  }

  private static String[] port(String key) {
    List<String> path = new ArrayList<>(List.of(WEB_CONTAINER));
    path.add("f:ports");
    path.add(key);
    return path.toArray(String[]::new);
  }

  private static FieldTypes.Shape shape() {
    return FieldTypes.of("Deployment", false);
  }

  private static ObjectNode create(String yaml, String manager) {
    ObjectNode object = yaml(yaml);
    ManagedFields.record(null, object, shape(), true, manager, null, T1);
    return object;
  }

  private static ObjectNode container(ObjectNode deployment, int i) {
    return (ObjectNode) deployment.at("/spec/template/spec/containers/" + i);
  }

  private static ObjectNode copy(ObjectNode o) {
    return o.deepCopy();
  }

  private static List<String> managers(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.at("/metadata/managedFields").forEach(e -> out.add(e.path("manager").asText()));
    return out;
  }

  private static JsonNode entry(JsonNode object, String manager) {
    for (JsonNode e : object.at("/metadata/managedFields")) {
      if (e.path("manager").asText().equals(manager)) {
        return e;
      }
    }
    throw new AssertionError("no managedFields entry of " + manager + " in " + object);
  }

  private static JsonNode fields(JsonNode object, String manager) {
    return entry(object, manager).path("fieldsV1");
  }

  private static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
