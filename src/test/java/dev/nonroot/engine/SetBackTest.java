package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.record.SetBack;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a set-back fix is a fight: the second set-back within the hour of the last application. */
class SetBackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FieldPath FIELD =
      FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot");

  /** The workload as Argo CD left it: runAsNonRoot false again, applied {@code times} before. */
  private static Optional<SetBack> look(int times, String argoTime) throws Exception {
    String record =
        "{\\\"version\\\":1,\\\"changes\\\":[{\\\"path\\\":\\\"/spec/template/spec/securityContext/"
            + "runAsNonRoot\\\",\\\"field\\\":\\\"spec.template.spec.securityContext.runAsNonRoot\\\","
            + "\\\"rule\\\":\\\"RunAsNonRoot\\\",\\\"policy\\\":\\\"p\\\",\\\"original\\\":false,"
            + "\\\"from\\\":false,\\\"to\\\":true,\\\"time\\\":\\\"2026-12-02T10:00:00Z\\\","
            + "\\\"times\\\":"
            + times
            + "}]}";
    JsonNode d =
        JSON.readTree(
            "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"annotations\":"
                + "{\"nonroot.dev/changes\":\""
                + record
                + "\"},\"managedFields\":[{\"manager\":\"argocd-controller\",\"operation\":"
                + "\"Update\",\"time\":\""
                + argoTime
                + "\",\"fieldsV1\":{}}]},\"spec\":{\"template\":{\"spec\":{\"securityContext\":"
                + "{\"runAsNonRoot\":false},\"containers\":[{\"name\":\"web\"}]}}}}");
    Change again =
        new Change(
            new ObjectRef("Deployment", "", "web"),
            FIELD,
            null,
            BooleanNode.FALSE,
            BooleanNode.TRUE,
            Rule.valueOf("RunAsNonRoot"),
            "");
    return SetBack.of(d, RecordedPatch.recordOf(d), List.of(again));
  }

  @Test
  void aFirstSetBackIsFixedAgain() throws Exception {
    assertThat(look(1, "2026-12-02T10:05:00Z")).isEmpty();
  }

  @Test
  void aSecondWithinTheHourIsAFightNamingTheManager() throws Exception {
    assertThat(look(2, "2026-12-02T10:05:00Z"))
        .hasValueSatisfying(
            s -> {
              assertThat(s.manager()).isEqualTo("argocd-controller");
              assertThat(s.message()).contains("field manager argocd-controller");
            });
  }

  @Test
  void aSecondHoursLaterIsTriedOnceMore() throws Exception {
    assertThat(look(2, "2026-12-02T12:00:00Z")).isEmpty();
  }

  /** A Deployment whose pod securityContext is {@code podSecurityContext}, with {@code record}. */
  private static ObjectNode deployment(String podSecurityContext, ChangeRecord record, String argo)
      throws Exception {
    ObjectNode d =
        (ObjectNode)
            JSON.readTree(
                "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"annotations\":{},"
                    + "\"managedFields\":[{\"manager\":\"argocd-controller\",\"operation\":"
                    + "\"Update\",\"time\":\""
                    + argo
                    + "\",\"fieldsV1\":{}}]},\"spec\":{\"template\":{\"spec\":{"
                    + "\"securityContext\":"
                    + podSecurityContext
                    + ",\"containers\":[{\"name\":\"web\"}]}}}}");
    if (!record.isEmpty()) {
      ((ObjectNode) d.path("metadata").path("annotations"))
          .put("nonroot.dev/changes", record.toJson());
    }
    return d;
  }

  private static Change change(String field, JsonNode from, JsonNode to) {
    return new Change(
        new ObjectRef("Deployment", "", "web"),
        FieldPath.ofPointer("/spec/template/spec/securityContext/" + field),
        null,
        from,
        to,
        Rule.valueOf(field.equals("runAsUser") ? "RunAsUser" : "RunAsNonRoot"),
        "");
  }

  /**
   * runAsUser is the field a Git manifest most often pins (runAsUser: 0): the rule writes it as a
   * long, the record reads it back as an int, and the two are the same uid.
   */
  @Test
  void aUidSetBackTwiceIsAFightToo() throws Exception {
    Change uid = change("runAsUser", LongNode.valueOf(0), LongNode.valueOf(65532));
    ChangeRecord record = ChangeRecord.empty();
    ObjectNode root = deployment("{\"runAsUser\":0}", record, "2026-12-02T10:05:00Z");
    record = record.with(root, List.of(uid), "p", "2026-12-02T09:00:00Z");
    record = record.with(root, List.of(uid), "p", "2026-12-02T10:00:00Z");
    ObjectNode setBack = deployment("{\"runAsUser\":0}", record, "2026-12-02T10:05:00Z");

    assertThat(SetBack.of(setBack, RecordedPatch.recordOf(setBack), List.of(uid)))
        .hasValueSatisfying(s -> assertThat(s.manager()).isEqualTo("argocd-controller"));
  }

  /**
   * The operator's own revert of a failed rollout is not someone setting the fix back: after the
   * rescue (or a re-arm) applies it again, one set-back by someone else is fixed once more, as a
   * first set-back is.
   */
  @Test
  void theOperatorsOwnRevertIsNotASetBack() throws Exception {
    Change fix = change("runAsNonRoot", BooleanNode.FALSE, BooleanNode.TRUE);
    ObjectNode before =
        deployment("{\"runAsNonRoot\":false}", ChangeRecord.empty(), "2026-12-02T08:00:00Z");
    ChangeRecord record =
        RecordedPatch.recordOf(before).with(before, List.of(fix), "p", "2026-12-02T09:00:00Z");
    // The first attempt's rollout failed: the operator put the field back.
    record = record.reverted(record.entries(), "2026-12-02T09:05:00Z");
    // The rescue applies it again, on the template as the revert left it.
    record = record.with(before, List.of(fix), "p", "2026-12-02T09:10:00Z");
    // Someone sets it back once.
    ObjectNode setBack = deployment("{\"runAsNonRoot\":false}", record, "2026-12-02T09:20:00Z");

    assertThat(SetBack.of(setBack, RecordedPatch.recordOf(setBack), List.of(fix))).isEmpty();
  }

  /**
   * A set-back by removal (Git's manifest has no runAsNonRoot: the field is gone, so nobody owns
   * it) is blamed on the last writer of the spec, never on kube-controller-manager, which writes a
   * Deployment's revision annotation (and its status) after every rollout.
   */
  @Test
  void aRemovalIsBlamedOnTheLastSpecWriterNotTheDeploymentController() throws Exception {
    Change fix = change("runAsNonRoot", null, BooleanNode.TRUE);
    ObjectNode before = deployment("{}", ChangeRecord.empty(), "2026-12-02T08:00:00Z");
    ChangeRecord record =
        RecordedPatch.recordOf(before).with(before, List.of(fix), "p", "2026-12-02T09:00:00Z");
    record = record.with(before, List.of(fix), "p", "2026-12-02T10:00:00Z");
    ObjectNode removed = deployment("{}", record, "2026-12-02T10:05:00Z");
    ((ArrayNode) removed.path("metadata").path("managedFields"))
        .add(
            JSON.readTree(
                "{\"manager\":\"kube-controller-manager\",\"operation\":\"Update\","
                    + "\"time\":\"2026-12-02T10:06:00Z\",\"fieldsV1\":{\"f:metadata\":"
                    + "{\"f:annotations\":{\"f:deployment.kubernetes.io/revision\":{}}}}}"))
        .add(
            JSON.readTree(
                "{\"manager\":\"kube-controller-manager\",\"operation\":\"Update\","
                    + "\"subresource\":\"status\",\"time\":\"2026-12-02T10:06:30Z\","
                    + "\"fieldsV1\":{\"f:status\":{\"f:replicas\":{}}}}"));
    ((ObjectNode) removed.path("metadata").path("managedFields").path(0))
        .set(
            "fieldsV1",
            JSON.readTree("{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{}}}}}"));

    assertThat(SetBack.of(removed, RecordedPatch.recordOf(removed), List.of(fix)))
        .hasValueSatisfying(s -> assertThat(s.manager()).isEqualTo("argocd-controller"));
  }
}
