package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The change record identifies a container's fields by the container's name, not its position. */
class ChangeRecordTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectRef WEB = new ObjectRef("Deployment", "ns", "web");
  private static final String CONTAINERS = "/spec/template/spec/containers";

  private static JsonNode deployment(String containers) throws Exception {
    return JSON.readTree(
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":" + containers + "}}}}");
  }

  private static Change uid(int index, String container, JsonNode from) {
    return new Change(
        WEB,
        FieldPath.ofPointer(CONTAINERS + "/" + index + "/securityContext/runAsUser"),
        container,
        from,
        LongNode.valueOf(65532),
        Rule.RunAsUser,
        "");
  }

  private static Change port(int index, String container, int from, int to) {
    return new Change(
        WEB,
        FieldPath.ofPointer(CONTAINERS + "/" + index + "/ports/0/containerPort"),
        container,
        IntNode.valueOf(from),
        IntNode.valueOf(to),
        Rule.PortRemap,
        "");
  }

  private static ChangeRecord.Entry only(ChangeRecord r, String container, String rule) {
    List<ChangeRecord.Entry> found =
        r.entries().stream()
            .filter(e -> container.equals(e.container()) && rule.equals(e.rule()))
            .toList();
    assertThat(found).as("entries of %s for %s", container, rule).hasSize(1);
    return found.get(0);
  }

  @Test
  void aSidecarInsertedBeforeAFixedContainerGetsNothingOfItsRecord() throws Exception {
    ChangeRecord fixed =
        ChangeRecord.empty()
            .with(List.of(uid(0, "web", IntNode.valueOf(0)), port(0, "web", 443, 8443)), "p", "t1");
    JsonNode now =
        deployment(
            "[{\"name\":\"sidecar\",\"securityContext\":{\"runAsUser\":0}},"
                + "{\"name\":\"web\",\"ports\":[{\"containerPort\":8443}]}]");
    ChangeRecord read = ChangeRecord.parse(fixed.toJson());

    // The fixed container's entries still describe it, at its new position.
    assertThat(only(read, "web", "RunAsUser").locate(now))
        .contains(FieldPath.ofPointer(CONTAINERS + "/1/securityContext/runAsUser"));
    assertThat(only(read, "web", "PortRemap").locate(now))
        .contains(FieldPath.ofPointer(CONTAINERS + "/1/ports/0/containerPort"));
    // Nothing of the record points into the sidecar.
    assertThat(read.entries())
        .allSatisfy(
            e ->
                assertThat(e.locate(now).map(FieldPath::pointer).orElse(""))
                    .doesNotStartWith(CONTAINERS + "/0/"));

    // Fixing the sidecar at the index web had: its own entry, with its own original value.
    ChangeRecord next = read.with(List.of(uid(0, "sidecar", IntNode.valueOf(0))), "p", "t2");
    ChangeRecord.Entry sidecar = only(next, "sidecar", "RunAsUser");
    assertThat(sidecar.original()).isEqualTo(IntNode.valueOf(0));
    assertThat(sidecar.times()).isEqualTo(1);
    ChangeRecord.Entry web = only(next, "web", "RunAsUser");
    assertThat(web.times()).isEqualTo(1);
    assertThat(web.time()).isEqualTo("t1");
    assertThat(only(next, "web", "PortRemap").original()).isEqualTo(IntNode.valueOf(443));
    assertThat(next.entries()).hasSize(3);
  }

  @Test
  void theSameFieldOfTheSameContainerIsOneEntryWhereverTheContainerStands() {
    ChangeRecord r =
        ChangeRecord.empty().with(List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
    // web now stands second; the change there is a repeat of the same field.
    r = ChangeRecord.parse(r.toJson()).with(List.of(uid(1, "web", null)), "p", "t2");

    ChangeRecord.Entry web = only(r, "web", "RunAsUser");
    assertThat(web.times()).isEqualTo(2);
    assertThat(web.original()).isEqualTo(IntNode.valueOf(0));
    assertThat(web.from()).isNull();
    assertThat(r.entries()).hasSize(1);
  }

  @Test
  void aRemovedContainersEntriesStayAsHistoryAndMatchNoOtherContainer() throws Exception {
    ChangeRecord r =
        ChangeRecord.parse(
            ChangeRecord.empty()
                .with(List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1")
                .toJson());
    JsonNode now = deployment("[{\"name\":\"api\",\"securityContext\":{\"runAsUser\":0}}]");

    assertThat(only(r, "web", "RunAsUser").locate(now)).isEmpty();

    ChangeRecord next = r.with(List.of(uid(0, "api", IntNode.valueOf(0))), "p", "t2");
    assertThat(next.entries()).hasSize(2);
    assertThat(only(next, "web", "RunAsUser").time()).isEqualTo("t1");
    assertThat(only(next, "api", "RunAsUser").times()).isEqualTo(1);
    assertThat(ChangeRecord.parse(next.toJson()).toJson()).isEqualTo(next.toJson());
  }

  @Test
  void containersAndInitContainersAreToldApart() throws Exception {
    ChangeRecord r =
        ChangeRecord.empty().with(List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
    JsonNode movedToInit =
        JSON.readTree(
            "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"web\"}],"
                + "\"containers\":[{\"name\":\"app\"}]}}}}");

    assertThat(only(r, "web", "RunAsUser").locate(movedToInit)).isEmpty();
  }

  @Test
  void podAndServiceFieldsKeepTheirPaths() throws Exception {
    FieldPath pod = FieldPath.ofPointer("/spec/template/spec/securityContext/runAsNonRoot");
    FieldPath svc = FieldPath.ofPointer("/spec/ports/0/targetPort");
    ChangeRecord r =
        ChangeRecord.parse(
            ChangeRecord.empty()
                .with(
                    List.of(
                        new Change(WEB, pod, null, null, null, Rule.RunAsNonRoot, ""),
                        new Change(
                            new ObjectRef("Service", "ns", "web"),
                            svc,
                            null,
                            IntNode.valueOf(80),
                            IntNode.valueOf(8080),
                            Rule.ServiceTargetPort,
                            "")),
                    "p",
                    "t1")
                .toJson());

    JsonNode empty = deployment("[]");
    assertThat(r.entry(pod, null).flatMap(e -> e.locate(empty))).contains(pod);
    assertThat(r.entry(svc, null).flatMap(e -> e.locate(JSON.createObjectNode()))).contains(svc);
  }

  @Test
  void aVersionOneRecordIsReadByContainerNameAndWrittenAsVersionTwo() throws Exception {
    String v1 =
        "{\"version\":1,\"changes\":["
            + "{\"path\":\"/spec/template/spec/containers/0/securityContext/runAsUser\","
            + "\"field\":\"spec.template.spec.containers[web].securityContext.runAsUser\","
            + "\"container\":\"web\",\"rule\":\"RunAsUser\",\"policy\":\"p\",\"original\":0,"
            + "\"from\":0,\"to\":65532,\"time\":\"t1\",\"times\":1},"
            + "{\"path\":\"/spec/template/spec/securityContext/runAsNonRoot\","
            + "\"field\":\"spec.template.spec.securityContext.runAsNonRoot\","
            + "\"rule\":\"RunAsNonRoot\",\"policy\":\"p\",\"to\":true,\"time\":\"t1\",\"times\":1}]}";
    JsonNode sidecarFirst = deployment("[{\"name\":\"sidecar\"},{\"name\":\"web\"}]");

    ChangeRecord r = ChangeRecord.parse(v1);
    ChangeRecord.Entry web = only(r, "web", "RunAsUser");
    assertThat(web.locate(sidecarFirst))
        .contains(FieldPath.ofPointer(CONTAINERS + "/1/securityContext/runAsUser"));
    assertThat(web.original()).isEqualTo(IntNode.valueOf(0));

    JsonNode written = JSON.readTree(r.toJson());
    assertThat(written.path("version").asInt()).isEqualTo(2);
    assertThat(written.path("changes").get(0).path("list").asText()).isEqualTo(CONTAINERS);
    assertThat(written.path("changes").get(0).path("container").asText()).isEqualTo("web");
    assertThat(written.path("changes").get(0).path("path").asText())
        .isEqualTo("/securityContext/runAsUser");
    assertThat(written.path("changes").get(1).path("path").asText())
        .isEqualTo("/spec/template/spec/securityContext/runAsNonRoot");
    assertThat(ChangeRecord.parse(r.toJson()).entries()).isEqualTo(r.entries());

    // The migrated entry is the one a new change of web's field repeats.
    ChangeRecord next = r.with(List.of(uid(1, "web", IntNode.valueOf(0))), "p", "t2");
    assertThat(only(next, "web", "RunAsUser").times()).isEqualTo(2);
    assertThat(next.entries()).hasSize(2);
  }

  @Test
  void twoContainersOfTheSameNameLocateNowhere() throws Exception {
    ChangeRecord r =
        ChangeRecord.empty().with(List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
    Optional<FieldPath> at =
        only(r, "web", "RunAsUser").locate(deployment("[{\"name\":\"web\"},{\"name\":\"web\"}]"));
    assertThat(at).isEmpty();
  }
}
