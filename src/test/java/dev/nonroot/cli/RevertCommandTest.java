package dev.nonroot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.RfcJsonPatch;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.RolloutPatch;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * revert takes back what the operator wrote: the workloads as the operator patched them (its own
 * write, {@link RolloutPatch#remediation}, and the Services' {@link RecordedPatch}), printed the
 * way kubectl prints them, come back as they were.
 */
class RevertCommandTest {
  private static final String NOW = "2026-11-22T08:34:41Z";
  private static final FileTime OLD = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path dir;

  /** A `kubectl get deploy,sts,svc -n shop -o yaml` of the workloads before the operator. */
  private static final String EXPORT = CliRun.fixture("revert/shop-export.yaml");

  /** httpbin listening on its PORT 80, behind a Service: an export before the operator's fix. */
  private static final String API_BEHIND_ITS_SERVICE =
      """
      apiVersion: v1
      kind: List
      items:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop, resourceVersion: "7"}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers:
              - name: httpbin
                image: kennethreitz/httpbin
                env: [{name: PORT, value: "80"}]
                ports: [{containerPort: 80}]
      - apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop, resourceVersion: "8"}
        spec:
          selector: {app: api}
          ports: [{port: 80, targetPort: 80}]
      """;

  @Test
  void theFixtureIsWhatKubectlPrints() throws Exception {
    ManifestFile export = ManifestFile.parse("export", null, EXPORT);
    assertThat(KubectlYaml.write(export.documents().get(0).tree())).isEqualTo(EXPORT);
  }

  @Test
  void revertGivesBackTheExportByteForByte() throws Exception {
    String patched = operatorWrote(EXPORT, tree -> {});
    assertThat(patched)
        .contains("nonroot.dev/changes", "nonroot.dev/rollout", "nonroot.dev/remediation")
        .contains("containerPort: 8080", "targetPort: 8080", "runAsUser: 65532");

    CliRun r = CliRun.withStdin(patched, "revert", "-");

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(EXPORT);
    assertThat(r.errLine())
        .startsWith("reverted ")
        .endsWith(" in 3 objects across 1 file")
        .doesNotContain("left as");
  }

  @Test
  void aFieldChangedSinceStaysAndIsNamed() throws Exception {
    String patched =
        operatorWrote(
            EXPORT,
            list ->
                ((ObjectNode) list.at("/items/0/spec/template/spec/securityContext"))
                    .set("runAsUser", IntNode.valueOf(1000)));

    CliRun r = CliRun.withStdin(patched, "revert", "-");

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<String> err = r.err().lines().toList();
    assertThat(err).hasSize(2);
    assertThat(err.get(0))
        .startsWith(
            "<stdin>:" + lineOf(patched, "- apiVersion: apps/v1") + ": Deployment shop/web: ")
        .contains(
            "items[0].spec.template.spec.securityContext.runAsUser left as it is:",
            "now 1000, the operator set 65532 (originally unset)");
    assertThat(err.get(1)).contains("1 field changed since left as it is");
    JsonNode web = tree(r.out()).at("/items/0");
    assertThat(web.at("/spec/template/spec/securityContext/runAsUser").asInt()).isEqualTo(1000);
    assertThat(web.at("/spec/template/spec/securityContext/runAsNonRoot").isMissingNode()).isTrue();
    assertThat(web.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt())
        .isEqualTo(80);
    // The record keeps what was left, and the rollout state and pod label stay with it.
    String record = web.at("/metadata/annotations/nonroot.dev~1changes").asText();
    assertThat(record).contains("runAsUser").doesNotContain("containerPort");
    assertThat(web.at("/metadata/annotations/nonroot.dev~1rollout").isTextual()).isTrue();
    assertThat(web.at("/spec/template/metadata/labels/nonroot.dev~1remediation").isTextual())
        .isTrue();
    // The other objects are whole again.
    JsonNode original = tree(EXPORT);
    assertThat(tree(r.out()).at("/items/1")).isEqualTo(original.at("/items/1"));
    assertThat(tree(r.out()).at("/items/2")).isEqualTo(original.at("/items/2"));
  }

  @Test
  void inPlaceRewritesTheFileOnceAndThenFindsNothing() throws Exception {
    Path file = dir.resolve("export.yaml");
    Files.writeString(file, operatorWrote(EXPORT, tree -> {}));
    Path untouched = CliRun.fixtures(dir, "web.yaml")[0];
    Files.setLastModifiedTime(untouched, OLD);

    CliRun r = CliRun.run("revert", "--in-place", dir.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLine()).endsWith("across 1 file (rewritten in place)");
    assertThat(CliRun.read(file)).isEqualTo(EXPORT);
    assertThat(Files.getLastModifiedTime(untouched)).isEqualTo(OLD);

    Files.setLastModifiedTime(file, OLD);
    CliRun again = CliRun.run("revert", "--in-place", file.toString());
    assertThat(again.exit()).isEqualTo(ExitCodes.OK);
    assertThat(again.errLine())
        .isEqualTo("nothing to revert: no object carries a nonroot.dev/changes record");
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(OLD);
  }

  /**
   * A Service whose targetPort the fix moved also selects a workload that listens on 8080 of its
   * own (written for the new port, no record): moving the Service back would cut it off, so the
   * Service stays, and so does the fixed workload's own move (its port and PORT), or the Service's
   * traffic to its pods would find no listener. Both are named on standard error; the rest of the
   * fix goes back.
   */
  @Test
  void aServiceAnotherWorkloadStillNeedsStaysAndSoDoesThePortMoveBehindIt() throws Exception {
    String patched =
        operatorWrote(
            API_BEHIND_ITS_SERVICE,
            list ->
                ((ArrayNode) list.get("items"))
                    .add(
                        item(
                            """
                            apiVersion: apps/v1
                            kind: Deployment
                            metadata: {name: api-next, namespace: shop}
                            spec:
                              selector: {matchLabels: {app: api, track: next}}
                              template:
                                metadata: {labels: {app: api, track: next}}
                                spec:
                                  containers:
                                  - name: httpbin
                                    image: kennethreitz/httpbin
                                    ports: [{containerPort: 8080}]
                            """)));

    CliRun r = CliRun.withStdin(patched, "revert", "-");

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode out = tree(r.out());
    JsonNode api = out.at("/items/0");
    assertThat(api.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt())
        .isEqualTo(8080);
    assertThat(api.at("/spec/template/spec/containers/0/env/0/value").asText()).isEqualTo("8080");
    assertThat(api.at("/spec/template/spec/securityContext").isMissingNode()).isTrue();
    assertThat(out.at("/items/1/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
    assertThat(r.err())
        .contains("Service shop/api: left as it is: Service shop/api stays on port 8080")
        .contains(
            "ports[0].containerPort left as it is: kept: Service shop/api stays on port 8080 for"
                + " Deployment shop/api-next")
        .contains("env[PORT].value left as it is: kept: Service shop/api");
  }

  /**
   * After the operator's restore (spec.onDelete: Revert) kept a workload's port move for the shared
   * Service that stays, the workload carries no record any more: it listens on 8080 of its own. A
   * revert of the export must not move the Service back to 80, or its traffic finds no listener.
   */
  @Test
  void aServiceStaysForAWorkloadWhoseKeptMoveHasNoRecordLeft() throws Exception {
    String restored =
        operatorWrote(
            API_BEHIND_ITS_SERVICE,
            list -> {
              // What the restore left: the moved port and PORT kept, the record gone.
              ObjectNode meta = (ObjectNode) list.at("/items/0/metadata");
              meta.remove("annotations");
            });

    CliRun r = CliRun.withStdin(restored, "revert", "-");

    JsonNode out = tree(r.out());
    assertThat(out.at("/items/0/spec/template/spec/containers/0/ports/0/containerPort").asInt())
        .isEqualTo(8080);
    assertThat(out.at("/items/1/spec/ports/0/targetPort").asInt())
        .as("the Service sends where the pods listen")
        .isEqualTo(8080);
  }

  @Test
  void inPlaceRefusesStandardInput() {
    CliRun r = CliRun.withStdin(EXPORT, "revert", "--in-place", "-");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.errLine()).contains("--in-place cannot rewrite standard input");
  }

  /**
   * A hand-written manifest the operator's write went through as text (comments and quoting kept,
   * as fix keeps them) comes back byte for byte, the ConfigMap beside it untouched.
   */
  @Test
  void commentsAndFormattingSurviveTheRoundTrip() throws Exception {
    String original = CliRun.fixture("web.yaml");
    ManifestFile file = ManifestFile.parse("web.yaml", null, original);
    ManifestObject web = file.documents().get(0).objects().get(0);
    WorkloadResult r = decide(file).get(0);
    ArrayNode ops =
        RolloutPatch.remediation(
            r.workload(),
            r.evaluation().changes(),
            "baseline",
            r.decision().rolloutStart(NOW),
            NOW);
    JsonNode after = inOrderOf(web.node(), RfcJsonPatch.apply(web.node(), withoutGuard(ops)));
    web.node().removeAll();
    web.node().setAll((ObjectNode) after);
    web.document().markChanged();
    String patched = file.render();
    assertThat(patched).contains("# the Service selects this", "nonroot.dev/changes");

    CliRun back = CliRun.withStdin(patched, "revert", "-");

    assertThat(back.exit()).as(back.err()).isEqualTo(ExitCodes.OK);
    assertThat(back.out()).isEqualTo(original);
  }

  @Test
  void filesWithoutARecordArePrintedAsRead() {
    String text = CliRun.fixture("web.yaml");
    CliRun r = CliRun.withStdin(text, "revert", "-");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(text);
    assertThat(r.errLine())
        .isEqualTo("nothing to revert: no object carries a nonroot.dev/changes record");
  }

  @Test
  void aDamagedRecordIsNamedAndLeftAlone() {
    String text =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          annotations:
            nonroot.dev/changes: '{"version":3,"changes":'
        spec:
          template:
            spec:
              containers:
              - name: app
                image: busybox
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: odd
          namespace: shop
          annotations:
            nonroot.dev/changes: '{"version":3,"changes":[{"path":"/spec/template/spec/containers/x/y","field":"f","to":1,"original":0},{"path":"/spec/replicas/deep","field":"g","policy":"p","original":3}]}'
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - name: app
                image: busybox
        """;
    CliRun r = CliRun.withStdin(text, "revert", "-");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(text);
    assertThat(r.err())
        .contains(
            "<stdin>:1: Deployment shop/web: its nonroot.dev/changes annotation cannot be read")
        .contains("<stdin>:15: Deployment shop/odd: f left as it is")
        .doesNotContain("Exception");
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path[] bad = CliRun.fixtures(dir, "bad/mapping-values.yaml");
    CliRun r = CliRun.run("revert", bad[0].toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLine()).startsWith(bad[0] + ":6: ").doesNotContain("\n");
  }

  // ---- the operator's write, as the operator makes it ----

  /**
   * {@code export} after the operator's writes, as kubectl prints it; {@code edit} changes the
   * patched List before it is printed (someone else's change since).
   */
  private static String operatorWrote(String export, Consumer<ObjectNode> edit) throws Exception {
    ManifestFile file = ManifestFile.parse("export", null, export);
    ObjectNode list = ((ObjectNode) file.documents().get(0).tree()).deepCopy();
    ArrayNode items = (ArrayNode) list.get("items");
    Map<ObjectRef, List<Change>> services = new LinkedHashMap<>();
    for (WorkloadResult r : decide(file)) {
      if (r.decision().action() != Decision.Action.PATCH) continue;
      int i = r.object().item();
      ArrayNode ops =
          RolloutPatch.remediation(
              r.workload(),
              r.evaluation().changes(),
              "baseline",
              r.decision().rolloutStart(NOW),
              NOW);
      items.set(i, RfcJsonPatch.apply(items.get(i), ops));
      for (Change c : r.evaluation().serviceChanges())
        services.computeIfAbsent(c.target(), k -> new ArrayList<>()).add(c);
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      ObjectRef ref =
          new ObjectRef(
              item.path("kind").asText(),
              item.at("/metadata/namespace").asText(),
              item.at("/metadata/name").asText());
      List<Change> changes = services.get(ref);
      if (changes == null) continue;
      ArrayNode ops =
          RecordedPatch.of(item, changes, "baseline", NOW, RecordedPatch.Guard.RESOURCE_VERSION);
      items.set(i, RfcJsonPatch.apply(item, ops));
    }
    assertThat(services).as("the Service's targetPort moves with the port").isNotEmpty();
    edit.accept(list);
    return KubectlYaml.write(list);
  }

  private static List<WorkloadResult> decide(ManifestFile file) {
    return ManifestEvaluator.evaluate(
        List.of(file), List.of(PolicyResolver.defaults()), ManifestInventory.of(List.of(file)));
  }

  /** An object that never came from a server has no resourceVersion to pin. */
  private static ArrayNode withoutGuard(ArrayNode ops) {
    ArrayNode out = ops.arrayNode();
    for (JsonNode op : ops) {
      if (!op.path("path").asText().equals("/metadata/resourceVersion")) out.add(op);
    }
    return out;
  }

  /**
   * {@code after} with the keys it shares with {@code before} in before's order (an RFC 6902
   * replace is a remove and an add, which moves the key to the end; the API server keeps no order
   * and the text editor keeps the file's), new keys after them.
   */
  private static JsonNode inOrderOf(JsonNode before, JsonNode after) {
    if (before instanceof ObjectNode b && after instanceof ObjectNode a) {
      ObjectNode out = a.objectNode();
      b.fieldNames()
          .forEachRemaining(
              k -> {
                if (a.has(k)) out.set(k, inOrderOf(b.get(k), a.get(k)));
              });
      a.fieldNames()
          .forEachRemaining(
              k -> {
                if (!out.has(k)) out.set(k, a.get(k));
              });
      return out;
    }
    if (before instanceof ArrayNode b && after instanceof ArrayNode a) {
      ArrayNode out = a.arrayNode();
      for (int i = 0; i < a.size(); i++)
        out.add(i < b.size() ? inOrderOf(b.get(i), a.get(i)) : a.get(i));
      return out;
    }
    return after;
  }

  private static JsonNode item(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode tree(String yaml) throws Exception {
    return YAML.readTree(yaml);
  }

  private static int lineOf(String text, String line) {
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(line)) return i + 1;
    throw new AssertionError("no line " + line);
  }
}
