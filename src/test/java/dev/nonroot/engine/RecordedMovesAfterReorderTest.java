package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.rules.Outcome;
import dev.nonroot.engine.rules.RemediationEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The record proves each port move on its own, however the port list was reordered between the
 * moves: a re-applied original manifest is then recognised for every port the operator moved.
 */
class RecordedMovesAfterReorderTest {
  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: app}
      spec:
        template:
          metadata: {labels: {app: web}}
          spec:
            securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
            containers:
            - name: web
              image: kennethreitz/httpbin
              env: [{name: PORT, value: "80"}]
              ports: [{containerPort: 80}]
              readinessProbe: {httpGet: {path: /, port: 80}}
              securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      """;
  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: app}
      spec:
        selector: {app: web}
        ports: [{port: 80, targetPort: 80}]
      """;

  private static ObjectNode yaml(String text) throws Exception {
    return (ObjectNode) Fixture.YAML.readTree(text);
  }

  private static List<String> fields(List<Change> changes) {
    return changes.stream()
        .map(
            c -> c.field() + " " + Change.render(c.oldValue()) + "->" + Change.render(c.newValue()))
        .toList();
  }

  @Test
  void aReappliedOriginalAfterAnotherPortWasMovedAtTheSameIndexFollowsBothMoves() throws Exception {
    Fixture f =
        new Fixture(
            "reorder",
            Fixture.JSON.createObjectNode(),
            Fixture.JSON.createObjectNode(),
            Fixture.JSON.createObjectNode(),
            List.of(yaml(DEPLOYMENT), yaml(SERVICE)));
    FixtureObjects objects = f.objects();
    Workload w = objects.workload().orElseThrow();

    // 1. The operator moves 80 to 8080 (with PORT, the probe and the Service).
    Evaluation first = RemediationEngine.evaluate(f.policy(), w, objects);
    assertThat(fields(first.changes()))
        .contains("spec.template.spec.containers[web].ports[0].containerPort 80->8080");
    w = objects.applyRecorded(w, first, "p", "t1");

    // 2. The author adds HTTPS in front of both lists; the operator moves 443 at the index 80 had.
    JsonNode web = w.root().at("/spec/template/spec/containers/0");
    ((ArrayNode) web.get("ports")).insert(0, yaml("{containerPort: 443}"));
    ((ArrayNode) web.get("env")).insert(0, yaml("{name: HTTPS_PORT, value: '443'}"));
    Evaluation second = RemediationEngine.evaluate(f.policy(), w, objects);
    assertThat(fields(second.changes()))
        .contains(
            "spec.template.spec.containers[web].ports[0].containerPort 443->8443",
            "spec.template.spec.containers[web].env[HTTPS_PORT].value 443->8443");
    w = objects.applyRecorded(w, second, "p", "t2");

    // 3. kubectl apply of the first manifest: 80 comes back beside 8080 (ports merge by
    // containerPort), PORT (env merges by name), the probe and the Service go back to 80.
    web = w.root().at("/spec/template/spec/containers/0");
    ((ArrayNode) web.get("ports")).add(yaml("{containerPort: 80}"));
    ((ObjectNode) web.at("/env/1")).put("value", "80");
    ((ObjectNode) web.at("/readinessProbe/httpGet")).put("port", 80);
    ((ObjectNode) objects.docs().get(1).at("/spec/ports/0")).put("targetPort", 80);
    Evaluation third = RemediationEngine.evaluate(f.policy(), w, objects);

    // The record still proves 80 -> 8080: the duplicate goes and everything follows to 8080.
    assertThat(fields(third.changes()))
        .containsExactly(
            "spec.template.spec.containers[web].env[PORT].value 80->8080",
            "spec.template.spec.containers[web].ports[2] {\"containerPort\":80}->null",
            "spec.template.spec.containers[web].readinessProbe.httpGet.port 80->8080");
    assertThat(fields(third.serviceChanges())).containsExactly("spec.ports[0].targetPort 80->8080");
    w = objects.applyRecorded(w, third, "p", "t3");
    Evaluation fourth = RemediationEngine.evaluate(f.policy(), w, objects);
    assertThat(fourth.hasPlan()).isFalse();
    assertThat(fourth.outcome()).isNotEqualTo(Outcome.NonCompliant);
  }
}
