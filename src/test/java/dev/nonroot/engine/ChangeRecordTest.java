package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
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
  // The object a change applied to, where it does not matter (fields outside port and env items).
  private static final JsonNode UNSEEN = JSON.createObjectNode();

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
            .with(
                UNSEEN,
                List.of(uid(0, "web", IntNode.valueOf(0)), port(0, "web", 443, 8443)),
                "p",
                "t1");
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
    ChangeRecord next =
        read.with(UNSEEN, List.of(uid(0, "sidecar", IntNode.valueOf(0))), "p", "t2");
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
        ChangeRecord.empty().with(UNSEEN, List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
    // web now stands second; the change there is a repeat of the same field.
    r = ChangeRecord.parse(r.toJson()).with(UNSEEN, List.of(uid(1, "web", null)), "p", "t2");

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
                .with(UNSEEN, List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1")
                .toJson());
    JsonNode now = deployment("[{\"name\":\"api\",\"securityContext\":{\"runAsUser\":0}}]");

    assertThat(only(r, "web", "RunAsUser").locate(now)).isEmpty();

    ChangeRecord next = r.with(UNSEEN, List.of(uid(0, "api", IntNode.valueOf(0))), "p", "t2");
    assertThat(next.entries()).hasSize(2);
    assertThat(only(next, "web", "RunAsUser").time()).isEqualTo("t1");
    assertThat(only(next, "api", "RunAsUser").times()).isEqualTo(1);
    assertThat(ChangeRecord.parse(next.toJson()).toJson()).isEqualTo(next.toJson());
  }

  @Test
  void containersAndInitContainersAreToldApart() throws Exception {
    ChangeRecord r =
        ChangeRecord.empty().with(UNSEEN, List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
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
                    UNSEEN,
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
    assertThat(r.entry(empty, pod, null).flatMap(e -> e.locate(empty))).contains(pod);
    assertThat(
            r.entry(JSON.createObjectNode(), svc, null)
                .flatMap(e -> e.locate(JSON.createObjectNode())))
        .contains(svc);
  }

  @Test
  void aVersionOneRecordIsReadByContainerNameAndWrittenInTheCurrentVersion() throws Exception {
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
    assertThat(written.path("version").asInt()).isEqualTo(ChangeRecord.VERSION);
    assertThat(written.path("changes").get(0).path("list").asText()).isEqualTo(CONTAINERS);
    assertThat(written.path("changes").get(0).path("container").asText()).isEqualTo("web");
    assertThat(written.path("changes").get(0).path("path").asText())
        .isEqualTo("/securityContext/runAsUser");
    assertThat(written.path("changes").get(1).path("path").asText())
        .isEqualTo("/spec/template/spec/securityContext/runAsNonRoot");
    assertThat(ChangeRecord.parse(r.toJson()).entries()).isEqualTo(r.entries());

    // The migrated entry is the one a new change of web's field repeats.
    ChangeRecord next = r.with(UNSEEN, List.of(uid(1, "web", IntNode.valueOf(0))), "p", "t2");
    assertThat(only(next, "web", "RunAsUser").times()).isEqualTo(2);
    assertThat(next.entries()).hasSize(2);
  }

  private static Change port(int container, int item, int from, int to) {
    return new Change(
        WEB,
        FieldPath.ofPointer(CONTAINERS + "/" + container + "/ports/" + item + "/containerPort"),
        "web",
        IntNode.valueOf(from),
        IntNode.valueOf(to),
        Rule.PortRemap,
        "");
  }

  private static Change env(int item, String from, String to) {
    return new Change(
        WEB,
        FieldPath.ofPointer(CONTAINERS + "/0/env/" + item + "/value"),
        "web",
        TextNode.valueOf(from),
        TextNode.valueOf(to),
        Rule.ListenSetting,
        "");
  }

  private static List<ChangeRecord.Entry> all(ChangeRecord r, String rule) {
    return r.entries().stream().filter(e -> rule.equals(e.rule())).toList();
  }

  private static ChangeRecord.Entry movedTo(ChangeRecord r, int to) {
    return all(r, "PortRemap").stream()
        .filter(e -> IntNode.valueOf(to).equals(e.to()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no move to " + to + " in " + r.toJson()));
  }

  private static String located(ChangeRecord.Entry e, JsonNode object) {
    return e.locate(object).map(FieldPath::pointer).orElse("nowhere");
  }

  @Test
  void twoPortsMovedOneAfterTheOtherAtTheSameIndexAreTwoEntries() throws Exception {
    JsonNode first = deployment("[{\"name\":\"web\",\"ports\":[{\"containerPort\":80}]}]");
    ChangeRecord r = ChangeRecord.empty().with(first, List.of(port(0, 0, 80, 8080)), "p", "t1");
    // The author puts 443 first; the operator moves it at the index 80 had.
    JsonNode second =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"containerPort\":443},{\"containerPort\":8080}]}]");
    r = ChangeRecord.parse(r.toJson()).with(second, List.of(port(0, 0, 443, 8443)), "p", "t2");
    r = ChangeRecord.parse(r.toJson());

    assertThat(all(r, "PortRemap")).hasSize(2);
    ChangeRecord.Entry http = movedTo(r, 8080);
    assertThat(http.original()).isEqualTo(IntNode.valueOf(80));
    assertThat(http.from()).isEqualTo(IntNode.valueOf(80));
    assertThat(http.times()).isEqualTo(1);
    assertThat(http.time()).isEqualTo("t1");
    ChangeRecord.Entry https = movedTo(r, 8443);
    assertThat(https.original()).isEqualTo(IntNode.valueOf(443));
    assertThat(https.times()).isEqualTo(1);

    JsonNode now =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"containerPort\":8443},{\"containerPort\":8080}]}]");
    assertThat(located(http, now)).isEqualTo(CONTAINERS + "/0/ports/1/containerPort");
    assertThat(located(https, now)).isEqualTo(CONTAINERS + "/0/ports/0/containerPort");

    // 80 put back where 443 stands now (a revert of the first fix): the same field again.
    JsonNode reverted =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"containerPort\":8443},{\"containerPort\":80}]}]");
    r = r.with(reverted, List.of(port(0, 1, 80, 8080)), "p", "t3");
    assertThat(all(r, "PortRemap")).hasSize(2);
    assertThat(movedTo(r, 8080).times()).isEqualTo(2);
    assertThat(movedTo(r, 8080).original()).isEqualTo(IntNode.valueOf(80));
    assertThat(movedTo(r, 8443).times()).isEqualTo(1);
  }

  @Test
  void aNamedPortIsItsNameAndTheSameNumberOverAnotherProtocolIsAnotherPort() throws Exception {
    JsonNode before =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"name\":\"http\",\"containerPort\":80},"
                + "{\"containerPort\":53,\"protocol\":\"UDP\"},{\"containerPort\":53}]}]");
    ChangeRecord r =
        ChangeRecord.parse(
            ChangeRecord.empty()
                .with(
                    before,
                    List.of(port(0, 0, 80, 8080), port(0, 1, 53, 8053), port(0, 2, 53, 8054)),
                    "p",
                    "t1")
                .toJson());
    assertThat(all(r, "PortRemap")).hasSize(3);

    JsonNode reordered =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"containerPort\":8054},"
                + "{\"containerPort\":8053,\"protocol\":\"UDP\"},"
                + "{\"name\":\"http\",\"containerPort\":8080}]}]");
    assertThat(located(movedTo(r, 8080), reordered))
        .isEqualTo(CONTAINERS + "/0/ports/2/containerPort");
    assertThat(located(movedTo(r, 8053), reordered))
        .isEqualTo(CONTAINERS + "/0/ports/1/containerPort");
    assertThat(located(movedTo(r, 8054), reordered))
        .isEqualTo(CONTAINERS + "/0/ports/0/containerPort");
  }

  @Test
  void envVarsAreTheirNames() throws Exception {
    JsonNode first =
        deployment("[{\"name\":\"web\",\"env\":[{\"name\":\"PORT\",\"value\":\"80\"}]}]");
    ChangeRecord r = ChangeRecord.empty().with(first, List.of(env(0, "80", "8080")), "p", "t1");
    JsonNode second =
        deployment(
            "[{\"name\":\"web\",\"env\":[{\"name\":\"HTTPS_PORT\",\"value\":\"443\"},"
                + "{\"name\":\"PORT\",\"value\":\"8080\"}]}]");
    r = ChangeRecord.parse(r.toJson()).with(second, List.of(env(0, "443", "8443")), "p", "t2");
    r = ChangeRecord.parse(r.toJson());

    List<ChangeRecord.Entry> settings = all(r, "ListenSetting");
    assertThat(settings).hasSize(2);
    assertThat(settings)
        .extracting(e -> e.original().asText() + "->" + e.to().asText() + " x" + e.times())
        .containsExactlyInAnyOrder("80->8080 x1", "443->8443 x1");
    JsonNode now =
        deployment(
            "[{\"name\":\"web\",\"env\":[{\"name\":\"HTTPS_PORT\",\"value\":\"8443\"},"
                + "{\"name\":\"PORT\",\"value\":\"8080\"}]}]");
    assertThat(settings)
        .extracting(e -> e.original().asText() + " at " + located(e, now))
        .containsExactlyInAnyOrder(
            "80 at " + CONTAINERS + "/0/env/1/value", "443 at " + CONTAINERS + "/0/env/0/value");
  }

  @Test
  void aVersionTwoRecordKeepsItsPortAndEnvEntriesByWhatTheyHeld() throws Exception {
    String v2 =
        "{\"version\":2,\"changes\":["
            + "{\"list\":\"/spec/template/spec/containers\",\"container\":\"web\","
            + "\"path\":\"/ports/0/containerPort\","
            + "\"field\":\"spec.template.spec.containers[web].ports[0].containerPort\","
            + "\"rule\":\"PortRemap\",\"policy\":\"p\",\"original\":80,\"from\":80,"
            + "\"to\":8080,\"time\":\"t1\",\"times\":1},"
            + "{\"list\":\"/spec/template/spec/containers\",\"container\":\"web\","
            + "\"path\":\"/env/0/value\","
            + "\"field\":\"spec.template.spec.containers[web].env[PORT].value\","
            + "\"rule\":\"ListenSetting\",\"policy\":\"p\",\"original\":\"80\","
            + "\"from\":\"80\",\"to\":\"8080\",\"time\":\"t1\",\"times\":1}]}";
    ChangeRecord r = ChangeRecord.parse(v2);
    JsonNode now =
        deployment(
            "[{\"name\":\"web\",\"env\":[{\"name\":\"HTTPS_PORT\",\"value\":\"443\"},"
                + "{\"name\":\"PORT\",\"value\":\"8080\"}],"
                + "\"ports\":[{\"name\":\"https\",\"containerPort\":443},"
                + "{\"name\":\"http\",\"containerPort\":8080}]}]");
    assertThat(located(only(r, "web", "PortRemap"), now))
        .isEqualTo(CONTAINERS + "/0/ports/1/containerPort");
    assertThat(located(only(r, "web", "ListenSetting"), now))
        .isEqualTo(CONTAINERS + "/0/env/1/value");

    // 443 moved where 80 stood: new entries beside the old ones.
    ChangeRecord next =
        r.with(now, List.of(port(0, 0, 443, 8443), env(0, "443", "8443")), "p", "t2");
    assertThat(all(next, "PortRemap")).hasSize(2);
    assertThat(all(next, "ListenSetting")).hasSize(2);
    assertThat(movedTo(next, 8080).original()).isEqualTo(IntNode.valueOf(80));

    // 80 drifted back on the named port: the old entry, now keyed by the port's name.
    JsonNode drifted =
        deployment(
            "[{\"name\":\"web\",\"ports\":[{\"name\":\"https\",\"containerPort\":8443},"
                + "{\"name\":\"http\",\"containerPort\":80}]}]");
    next =
        ChangeRecord.parse(
            ChangeRecord.parse(next.toJson())
                .with(drifted, List.of(port(0, 1, 80, 8080)), "p", "t3")
                .toJson());
    assertThat(all(next, "PortRemap")).hasSize(2);
    assertThat(movedTo(next, 8080).times()).isEqualTo(2);
    assertThat(movedTo(next, 8080).original()).isEqualTo(IntNode.valueOf(80));
    assertThat(next.toJson()).contains("\"item\":{\"list\":\"ports\",\"name\":\"http\"}");
  }

  @Test
  void twoContainersOfTheSameNameLocateNowhere() throws Exception {
    ChangeRecord r =
        ChangeRecord.empty().with(UNSEEN, List.of(uid(0, "web", IntNode.valueOf(0))), "p", "t1");
    Optional<FieldPath> at =
        only(r, "web", "RunAsUser").locate(deployment("[{\"name\":\"web\"},{\"name\":\"web\"}]"));
    assertThat(at).isEmpty();
  }
}
