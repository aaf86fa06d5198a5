package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
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
}
