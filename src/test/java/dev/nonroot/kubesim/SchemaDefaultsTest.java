package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SchemaDefaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void fillsAbsentAndNullFieldsRecursively() throws Exception {
    JsonNode schema =
        JSON.readTree(
            """
        {"type": "object", "properties": {
          "spec": {"type": "object", "properties": {
            "mode": {"type": "string", "default": "Enforce"},
            "priority": {"type": "integer", "default": 0},
            "note": {"type": "string", "nullable": true, "default": "n"},
            "ports": {"type": "object", "properties": {"offset": {"type": "integer", "default": 8000}}},
            "rules": {"type": "array", "items": {"type": "object", "properties": {
              "action": {"type": "string", "default": "Report"}}}},
            "byName": {"type": "object", "additionalProperties": {"type": "object", "properties": {
              "on": {"type": "boolean", "default": true}}}}}}}}
        """);
    JsonNode object =
        JSON.readTree(
            """
        {"spec": {"priority": null, "note": null, "mode": "Audit", "ports": {},
                  "rules": [{}, {"action": "Remediate"}], "byName": {"a": {}}}}
        """);

    SchemaDefaults.apply(schema, object);

    assertThat(object.toString())
        .isEqualTo(
            "{\"spec\":{\"priority\":0,\"note\":null,\"mode\":\"Audit\","
                + "\"ports\":{\"offset\":8000},\"rules\":[{\"action\":\"Report\"},{\"action\":\"Remediate\"}],"
                + "\"byName\":{\"a\":{\"on\":true}}}}");
  }

  @Test
  void leavesMissingParentsAlone() throws Exception {
    JsonNode schema =
        JSON.readTree(
            "{\"properties\": {\"spec\": {\"properties\": {\"mode\": {\"default\": \"Enforce\"}}}}}");
    JsonNode object = JSON.readTree("{\"metadata\": {\"name\": \"p\"}}");

    SchemaDefaults.apply(schema, object);

    assertThat(object.has("spec")).isFalse();
  }
}
