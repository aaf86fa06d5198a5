package dev.nonroot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.engine.model.ManagedFields;
import dev.nonroot.engine.model.ManagedFields.Writer;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who set a field back, read from managedFields as a real API server writes them. */
class ManagedFieldsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A Deployment Argo CD synced after the operator's patch: argocd-controller owns runAsNonRoot
   * (pod level) and the web container's port, the operator the container's capabilities,
   * kube-controller-manager the status (subresource) and the revision annotation (main resource),
   * kubectl-edit a label, and a server without the status subresource a status condition.
   */
  private static final String DEPLOYMENT =
      """
      {"kind":"Deployment","metadata":{"name":"web","managedFields":[
        {"manager":"nonroot-operator","operation":"Update","time":"2026-12-02T10:00:00Z",
         "fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
           "k:{\\"name\\":\\"web\\"}":{"f:securityContext":{"f:capabilities":{".":{},"f:drop":{}}}}}}}}}},
        {"manager":"argocd-controller","operation":"Update","time":"2026-12-02T10:05:00Z",
         "fieldsV1":{"f:spec":{"f:template":{"f:spec":{
           "f:securityContext":{"f:runAsNonRoot":{}},
           "f:containers":{"k:{\\"name\\":\\"web\\"}":{"f:ports":{
             "k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{"f:containerPort":{}}}}}}}}}},
        {"manager":"kube-controller-manager","operation":"Update","subresource":"status",
         "time":"2026-12-02T10:06:00Z","fieldsV1":{"f:status":{"f:replicas":{}}}},
        {"manager":"kubectl-edit","operation":"Update","time":"2026-12-02T10:07:00Z",
         "fieldsV1":{"f:metadata":{"f:labels":{"f:team":{}}}}},
        {"manager":"kube-controller-manager","operation":"Update","time":"2026-12-02T10:08:00Z",
         "fieldsV1":{"f:metadata":{"f:annotations":{".":{},
           "f:deployment.kubernetes.io/revision":{}}}}},
        {"manager":"old-status-writer","operation":"Update","time":"2026-12-02T10:09:00Z",
         "fieldsV1":{"f:status":{"f:conditions":{}}}}]},
       "spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":false},
         "containers":[{"name":"sidecar"},{"name":"web","ports":[{"containerPort":80}],
           "securityContext":{"capabilities":{"drop":["ALL"]}}}]}}}}
      """;

  private static Optional<Writer> setBy(String pointer) throws Exception {
    JsonNode d = JSON.readTree(DEPLOYMENT);
    return ManagedFields.setBy(d, pointer);
  }

  @Test
  void theManagerThatOwnsAFieldIsNamed() throws Exception {
    assertThat(setBy("/spec/template/spec/securityContext/runAsNonRoot"))
        .contains(new Writer("argocd-controller", Instant.parse("2026-12-02T10:05:00Z")));
  }

  @Test
  void keyedListItemsAreFoundByTheirKeysNotTheirIndex() throws Exception {
    // web is item 1 of containers; its port is keyed by number and the default protocol.
    assertThat(setBy("/spec/template/spec/containers/1/ports/0/containerPort"))
        .map(Writer::manager)
        .contains("argocd-controller");
  }

  @Test
  void aFieldNobodyElseOwnsNamesTheLastOtherWriterOfTheSpecOnly() throws Exception {
    // The operator owns the capabilities: a removed field or an untracked one falls back to the
    // latest writer of the object's spec. kube-controller-manager wrote later (the revision
    // annotation on every rollout, the status), and so did a label edit and a status writer: none
    // of them touches the spec, so none of them set a spec field back.
    assertThat(setBy("/spec/template/spec/containers/1/securityContext/capabilities/drop"))
        .map(Writer::manager)
        .contains("argocd-controller");
    assertThat(setBy("/spec/template/spec/securityContext/runAsUser"))
        .map(Writer::manager)
        .contains("argocd-controller");
  }

  @Test
  void aServerThatTracksNoFieldsNamesTheLastOtherWriter() throws Exception {
    JsonNode d =
        JSON.readTree(
            "{\"metadata\":{\"managedFields\":[{\"manager\":\"helm\",\"time\":"
                + "\"2026-12-02T10:00:00Z\"},{\"manager\":\"ci-apply\",\"time\":"
                + "\"2026-12-02T10:05:00Z\",\"fieldsV1\":{}}]}}");
    assertThat(ManagedFields.setBy(d, "/spec/template/spec/securityContext/runAsNonRoot"))
        .map(Writer::manager)
        .contains("ci-apply");
  }

  @Test
  void anObjectWithoutManagedFieldsNamesNobody() throws Exception {
    assertThat(ManagedFields.setBy(JSON.readTree("{\"metadata\":{}}"), "/spec")).isEmpty();
  }
}
