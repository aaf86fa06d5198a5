package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordedPatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void patchPinsTheResourceVersionAndCarriesTheRecordInTheSameRequest() throws Exception {
    JsonNode original =
        JSON.readTree(
            "{\"metadata\":{\"name\":\"web\",\"resourceVersion\":\"42\"},"
                + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}");
    FieldPath path = FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot");
    Change change =
        new Change(
            new ObjectRef("Deployment", "ns", "web"),
            path,
            null,
            null,
            BooleanNode.TRUE,
            Rule.RunAsNonRoot,
            "reason");
    ChangeRecord record =
        ChangeRecord.empty().with(original, List.of(change), "baseline", "2026-01-01T00:00:00Z");
    JsonNode ops =
        RecordedPatch.of(original, List.of(change), record, RecordedPatch.Guard.RESOURCE_VERSION);

    assertThat(ops.get(0).toString())
        .isEqualTo("{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"}");
    assertThat(ops.get(1).toString())
        .isEqualTo(
            "{\"op\":\"add\",\"path\":\"/spec/template/spec/securityContext\",\"value\":{}}");
    assertThat(ops.get(2).toString())
        .isEqualTo(
            "{\"op\":\"add\",\"path\":\"/spec/template/spec/securityContext/runAsNonRoot\",\"value\":true}");
    assertThat(ops.get(3).path("path").asText()).isEqualTo("/metadata/annotations");
    assertThat(ops.get(4).path("path").asText())
        .isEqualTo("/metadata/annotations/nonroot.dev~1changes");
    ChangeRecord written = ChangeRecord.parse(ops.get(4).path("value").asText());
    assertThat(written.entry(original, path, null))
        .hasValueSatisfying(
            e -> {
              assertThat(e.policy()).isEqualTo("baseline");
              assertThat(e.original()).isNull();
              assertThat(e.to()).isEqualTo(BooleanNode.TRUE);
            });
  }

  @Test
  void withoutTheGuardThePatchCarriesTheSameChangeAndRecordButNoVersion() throws Exception {
    JsonNode original =
        JSON.readTree(
            "{\"metadata\":{\"name\":\"web\",\"resourceVersion\":\"42\"},"
                + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}");
    FieldPath path = FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot");
    Change change =
        new Change(
            new ObjectRef("Deployment", "ns", "web"),
            path,
            null,
            null,
            BooleanNode.TRUE,
            Rule.RunAsNonRoot,
            "reason");
    JsonNode guarded =
        RecordedPatch.of(
            original, List.of(change), "baseline", "t", RecordedPatch.Guard.RESOURCE_VERSION);
    JsonNode unguarded =
        RecordedPatch.of(original, List.of(change), "baseline", "t", RecordedPatch.Guard.NONE);

    assertThat(unguarded.toString()).doesNotContain("resourceVersion");
    assertThat(guarded.size()).isEqualTo(unguarded.size() + 1);
    for (int i = 0; i < unguarded.size(); i++)
      assertThat(unguarded.get(i)).isEqualTo(guarded.get(i + 1));
  }

  @Test
  void theRecordAlreadyOnTheObjectIsExtendedNotReplaced() throws Exception {
    FieldPath first = FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot");
    FieldPath second = FieldPath.ofPointer("/spec/template/spec/securityContext/runAsUser");
    ObjectRef ref = new ObjectRef("Deployment", "ns", "web");
    ChangeRecord earlier =
        ChangeRecord.empty()
            .with(
                JSON.createObjectNode(),
                List.of(
                    new Change(ref, first, null, null, BooleanNode.TRUE, Rule.RunAsNonRoot, "")),
                "baseline",
                "t1");
    ObjectNode original = JSON.createObjectNode();
    original
        .putObject("metadata")
        .putObject("annotations")
        .put("nonroot.dev/changes", earlier.toJson());
    Change change = new Change(ref, second, null, null, IntNode.valueOf(65532), Rule.RunAsUser, "");

    JsonNode ops =
        RecordedPatch.of(original, List.of(change), "baseline", "t2", RecordedPatch.Guard.NONE);
    ChangeRecord written = ChangeRecord.parse(ops.get(ops.size() - 1).path("value").asText());

    assertThat(written.entries())
        .extracting(e -> e.place().path())
        .containsExactly(first.pointer(), second.pointer());
  }

  @Test
  void recordKeepsTheFirstOriginalValueAcrossRepeatedDrift() {
    FieldPath path =
        FieldPath.ofPointer("/spec/template/spec/containers/0/securityContext/privileged");
    ObjectRef ref = new ObjectRef("Deployment", "ns", "web");
    ChangeRecord r = ChangeRecord.empty();
    r =
        r.with(
            JSON.createObjectNode(),
            List.of(
                new Change(
                    ref, path, "c", BooleanNode.TRUE, BooleanNode.FALSE, Rule.Privileged, "")),
            "p",
            "t1");
    for (int i = 2; i <= 50; i++) {
      r =
          ChangeRecord.parse(r.toJson())
              .with(
                  JSON.createObjectNode(),
                  List.of(new Change(ref, path, "c", null, BooleanNode.FALSE, Rule.Privileged, "")),
                  "p",
                  "t" + i);
    }
    assertThat(r.entries()).hasSize(1);
    ChangeRecord.Entry e = r.entries().get(0);
    assertThat(e.original()).isEqualTo(BooleanNode.TRUE);
    assertThat(e.from()).isNull();
    assertThat(e.times()).isEqualTo(50);
    assertThat(e.time()).isEqualTo("t50");
    assertThat(r.toJson().length()).isLessThan(400);
  }

  @Test
  void aDamagedRecordReadsAsEmpty() {
    assertThat(ChangeRecord.parse("{not json").isEmpty()).isTrue();
    assertThat(ChangeRecord.parse(null).isEmpty()).isTrue();
  }
}
