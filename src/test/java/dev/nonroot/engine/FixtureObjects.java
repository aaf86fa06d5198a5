package dev.nonroot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.PlanApplier;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rules.Evaluation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixture's input documents (the first workload is evaluated; the others are its neighbours),
 * mutable: plans are applied to them (workload and Services) and the inventory always answers from
 * their current content, as the CLI's inventory would. Running pods report the fixture's {@code
 * imageUsers}; the questions are counted.
 */
final class FixtureObjects implements Inventory {
  private final List<ObjectNode> docs;
  private final JsonNode imageUsers;
  private int imageUsersAsked;

  FixtureObjects(List<ObjectNode> docs, JsonNode imageUsers) {
    this.docs = docs;
    this.imageUsers = imageUsers;
  }

  /** How often the engine asked what running pods report. */
  int imageUsersAsked() {
    return imageUsersAsked;
  }

  List<ObjectNode> docs() {
    return docs;
  }

  /** The first document the engine accepts as a workload. */
  Optional<Workload> workload() {
    return docs.stream().map(Workload::of).flatMap(Optional::stream).findFirst();
  }

  static String namespaceOf(ObjectNode doc) {
    String ns = doc.path("metadata").path("namespace").asText("");
    return ns.isEmpty() ? "default" : ns;
  }

  @Override
  public List<ObjectNode> services(String namespace) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode d : docs) {
      if (d.path("kind").asText().equals("Service") && namespaceOf(d).equals(namespace)) out.add(d);
    }
    return out;
  }

  @Override
  public Optional<NamespaceInfo> namespace(String name) {
    for (ObjectNode d : docs) {
      if (d.path("kind").asText().equals("Namespace")
          && d.path("metadata").path("name").asText().equals(name)) {
        return Optional.of(
            new NamespaceInfo(
                name,
                Trees.stringMap(d.path("metadata").path("labels")),
                Trees.stringMap(d.path("metadata").path("annotations"))));
      }
    }
    return Optional.empty();
  }

  @Override
  public List<WorkloadPods> workloads(String namespace) {
    List<WorkloadPods> out = new ArrayList<>();
    for (ObjectNode d : docs) {
      Workload.of(d)
          .filter(w -> w.effectiveNamespace().equals(namespace))
          .ifPresent(w -> out.add(WorkloadPods.of(w)));
    }
    return out;
  }

  @Override
  public List<ObjectNode> networkPolicies(String namespace) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode d : docs) {
      if (d.path("kind").asText().equals("NetworkPolicy") && namespaceOf(d).equals(namespace))
        out.add(d);
    }
    return out;
  }

  @Override
  public Map<String, Long> imageUsers(Workload workload) {
    imageUsersAsked++;
    if (imageUsers.asText().equals("fail")) {
      throw new AssertionError(
          "the engine asked what running pods of " + workload.ref() + " report; it must not here");
    }
    Map<String, Long> out = new LinkedHashMap<>();
    imageUsers.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
    return out;
  }

  /** The Service a service change targets (matched the way the engine names it). */
  ObjectNode service(ObjectRef ref) {
    for (ObjectNode d : docs) {
      if (d.path("kind").asText().equals("Service")
          && d.path("metadata").path("namespace").asText("").equals(ref.namespace())
          && d.path("metadata").path("name").asText("").equals(ref.name())) {
        return d;
      }
    }
    throw new AssertionError("a change targets " + ref + ", which is not in the input");
  }

  /**
   * Applies the whole plan: workload changes to the workload, service changes to their Services.
   */
  void apply(Workload w, Evaluation e) {
    PlanApplier.apply(w.root(), e.changes());
    for (Change c : e.serviceChanges()) PlanApplier.apply(service(c.target()), List.of(c));
  }

  /**
   * Applies the whole plan as the operator writes it: each object gets one {@link RecordedPatch}
   * (the changes and its nonroot.dev/changes record, as RFC 6902 ops), so a later evaluation sees
   * the record the operator would have left. Returns the workload as it is now.
   */
  Workload applyRecorded(Workload w, Evaluation e, String policy, String time) {
    patchInPlace(w.root(), e.changes(), policy, time);
    Map<ObjectRef, List<Change>> byService = new LinkedHashMap<>();
    for (Change c : e.serviceChanges()) {
      byService.computeIfAbsent(c.target(), ref -> new ArrayList<>()).add(c);
    }
    byService.forEach((ref, changes) -> patchInPlace(service(ref), changes, policy, time));
    return Workload.of(w.root()).orElseThrow();
  }

  private static void patchInPlace(
      ObjectNode object, List<Change> changes, String policy, String time) {
    if (changes.isEmpty()) return;
    JsonNode patched =
        RfcJsonPatch.apply(
            object, RecordedPatch.of(object, changes, policy, time, RecordedPatch.Guard.NONE));
    object.removeAll();
    object.setAll((ObjectNode) patched);
  }
}
