package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a real API server adds to an object on every write and the mock store does not: a {@code
 * metadata.managedFields} entry naming the writer (the {@code fieldManager} query parameter, else
 * the User-Agent's product), {@code status: {}} on built-in kinds, {@code status.phase: Active} on
 * Namespaces, and an Established status on CustomResourceDefinitions.
 */
final class ServerSideDefaults {
  private final Clock clock;

  ServerSideDefaults(Clock clock) {
    this.clock = clock;
  }

  /**
   * Updates {@code written} (the object as stored after the write) in place.
   *
   * @param before the object before the write, null on create; its managedFields are the ones kept
   * @param type the object's resource type, null when unknown
   * @param subresource "status" for status writes, else null
   */
  void apply(
      JsonNode before, ObjectNode written, ResourceType type, String manager, String subresource) {
    recordManager(before, written, manager, subresource);
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

  private void recordManager(
      JsonNode before, ObjectNode written, String manager, String subresource) {
    ObjectNode metadata = objectField(written, "metadata");
    JsonNode previous = before == null ? null : before.at("/metadata/managedFields");
    ArrayNode entries = metadata.putArray("managedFields");
    if (previous != null && previous.isArray()) {
      for (JsonNode entry : previous) {
        boolean same =
            manager.equals(entry.path("manager").asText())
                && "Update".equals(entry.path("operation").asText())
                && (subresource == null
                    ? !entry.has("subresource")
                    : subresource.equals(entry.path("subresource").asText()));
        if (!same) {
          entries.add(entry);
        }
      }
    }
    ObjectNode entry = entries.addObject();
    entry.put("manager", manager);
    entry.put("operation", "Update");
    entry.put("apiVersion", written.path("apiVersion").asText(""));
    entry.put("time", now());
    entry.put("fieldsType", "FieldsV1");
    entry.putObject("fieldsV1"); // which fields: not tracked by this server
    if (subresource != null) {
      entry.put("subresource", subresource);
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
