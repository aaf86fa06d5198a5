package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a real API server adds to an object on every write and the mock store does not: {@code
 * metadata.managedFields} with the fields each writer owns ({@link ManagedFields}; the writer is
 * the {@code fieldManager} query parameter, else the User-Agent's product), {@code status: {}} on
 * built-in kinds, {@code status.phase: Active} on Namespaces, and an Established status on
 * CustomResourceDefinitions.
 */
final class ServerSideDefaults {
  private final Clock clock;

  ServerSideDefaults(Clock clock) {
    this.clock = clock;
  }

  /**
   * Updates {@code written} (the object as stored after the write) in place.
   *
   * @param before the object before the write, null on create
   * @param type the object's resource type, null when unknown
   * @param subresource "status" or "scale" for subresource writes, else null
   */
  void apply(
      JsonNode before, ObjectNode written, ResourceType type, String manager, String subresource) {
    addDefaults(written, type);
    // Last, so the fields are those of the object as stored, defaults included.
    ManagedFields.record(
        before,
        written,
        FieldTypes.of(type == null ? null : type.kind(), type == null || type.custom()),
        type != null && type.statusSubresource(),
        manager,
        subresource,
        now());
  }

  private void addDefaults(ObjectNode written, ResourceType type) {
    ObjectNode metadata = objectField(written, "metadata");
    JsonNode namespace = metadata.get("namespace");
    if (namespace != null && (namespace.isNull() || namespace.asText().isEmpty())) {
      metadata.remove(
          "namespace"); // the store writes "namespace": null on updates of cluster-scoped objects
    }
    if (type == null) {
      return;
    }
    JsonNode status = written.get("status");
    if (type.custom()) {
      if (status != null && status.isNull()) {
        written.remove(
            "status"); // the store writes null when a main-resource write preserves an absent
        // status
      }
      return;
    }
    if (type.statusSubresource() && (status == null || !status.isObject())) {
      written.putObject("status");
    }
    if (type.kind().equals("Namespace") && !written.at("/status/phase").isTextual()) {
      ((ObjectNode) written.get("status")).put("phase", "Active");
    }
    if (type.kind().equals("CustomResourceDefinition")) {
      establish(written);
    }
  }

  private void establish(ObjectNode crd) {
    ObjectNode status = objectField(crd, "status");
    if (!status.path("acceptedNames").isObject()) {
      status.set("acceptedNames", crd.at("/spec/names").deepCopy());
    }
    if (!status.path("storedVersions").isArray()) {
      String storage = CrdResources.storageVersion(crd);
      ArrayNode stored = status.putArray("storedVersions");
      if (storage != null) {
        stored.add(storage);
      }
    }
    if (!status.path("conditions").isArray()) {
      ArrayNode conditions = status.putArray("conditions");
      condition(conditions, "NamesAccepted", "NoConflicts", "no conflicts found");
      condition(
          conditions,
          "Established",
          "InitialNamesAccepted",
          "the initial names have been accepted");
    }
  }

  private void condition(ArrayNode conditions, String type, String reason, String message) {
    ObjectNode c = conditions.addObject();
    c.put("type", type);
    c.put("status", "True");
    c.put("lastTransitionTime", now());
    c.put("reason", reason);
    c.put("message", message);
  }

  private static ObjectNode objectField(ObjectNode parent, String field) {
    return parent.get(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
