package dev.nonroot.operator;

import static dev.nonroot.operator.OperatorHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.engine.model.ManagedFields;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The informer caches keep less than the API server sends (managedFields the decisions never read,
 * kubectl's last-applied copy), and what they leave out is never written back.
 */
class CacheTrimTest extends OperatorTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String RUN_AS_NON_ROOT = "/spec/template/spec/securityContext/runAsNonRoot";

  private static final String MANAGED =
      """
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"app","namespace":"solo",
        "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"a\\":1}","x":"y"},
        "managedFields":[
         {"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1",
          "time":"2026-12-01T10:00:00Z","fieldsType":"FieldsV1",
          "fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:x":{}}},
                      "f:spec":{"f:template":{"f:spec":{"f:containers":{}}}}}},
         {"manager":"argocd-controller","operation":"Update","apiVersion":"apps/v1",
          "time":"2026-12-01T11:00:00Z","fieldsType":"FieldsV1",
          "fieldsV1":{"f:spec":{"f:template":{"f:spec":
            {"f:securityContext":{"f:runAsNonRoot":{}}}}}}},
         {"manager":"nonroot-operator","operation":"Update","apiVersion":"apps/v1",
          "time":"2026-12-01T12:00:00Z","fieldsType":"FieldsV1",
          "fieldsV1":{"f:spec":{"f:template":{"f:spec":
            {"f:securityContext":{"f:runAsUser":{}}}}}}},
         {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1",
          "time":"2026-12-01T13:00:00Z","fieldsType":"FieldsV1","subresource":"status",
          "fieldsV1":{"f:status":{"f:replicas":{}}}},
         {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1",
          "time":"2026-12-01T14:00:00Z","fieldsType":"FieldsV1",
          "fieldsV1":{"f:metadata":{"f:annotations":
            {"f:deployment.kubernetes.io/revision":{}}}}}]},
       "spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":false,"runAsUser":1000},
        "containers":[{"name":"app","image":"example/app:1"}]}}}}
      """;

  @Test
  void aTrimmedWorkloadNamesTheSameWritersAndKeepsItsAnnotationKeys() throws Exception {
    Deployment full = SERIALIZATION.unmarshal(MANAGED, Deployment.class);
    Deployment trimmed = CacheTrim.workload(SERIALIZATION.unmarshal(MANAGED, Deployment.class));
    var before = ObjectTrees.of(full);
    var after = ObjectTrees.of(trimmed);

    // Who set a field back, read as a set-back reads it (every field the operator changes is
    // under spec): the same answer from the smaller copy.
    for (String pointer :
        new String[] {
          RUN_AS_NON_ROOT,
          "/spec/template/spec/securityContext/runAsUser",
          "/spec/template/spec/containers/0/image",
          // Owned by no one (a removal): blamed on the latest spec writer, on both copies, never
          // on the Deployment controller's revision annotation.
          "/spec/template/spec/securityContext/runAsGroup"
        }) {
      assertThat(ManagedFields.setBy(after, pointer))
          .as(pointer)
          .isEqualTo(ManagedFields.setBy(before, pointer));
    }
    assertThat(ManagedFields.setBy(after, RUN_AS_NON_ROOT))
        .contains(
            new ManagedFields.Writer("argocd-controller", Instant.parse("2026-12-01T11:00:00Z")));
    assertThat(ManagedFields.setBy(after, "/spec/template/spec/securityContext/runAsGroup"))
        .map(ManagedFields.Writer::manager)
        .contains("argocd-controller");
    // The operator's own entry is gone, the status writer keeps its name without its fields,
    // and no entry keeps metadata fields.
    assertThat(after.path("metadata").path("managedFields").findValuesAsText("manager"))
        .containsExactly(
            "kubectl-client-side-apply",
            "argocd-controller",
            "kube-controller-manager",
            "kube-controller-manager");
    assertThat(after.path("metadata").path("managedFields").get(2).has("fieldsV1")).isFalse();
    assertThat(
            after.path("metadata").path("managedFields").get(0).path("fieldsV1").has("f:metadata"))
        .isFalse();
    // Same annotation keys (a patch into metadata.annotations takes the same path), no copy.
    assertThat(trimmed.getMetadata().getAnnotations())
        .containsExactly(Map.entry(CacheTrim.LAST_APPLIED, ""), Map.entry("x", "y"));
    assertThat(JSON.writeValueAsString(after).length())
        .isLessThan(JSON.writeValueAsString(before).length());
  }

  @Test
  void whatTheCacheLeavesOutIsNeverWrittenBack() throws Exception {
    String applied =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"app\"}}";
    harness.apply("/operator/solo.yaml");
    client
        .apps()
        .deployments()
        .inNamespace("solo")
        .withName("app")
        .edit(
            d -> {
              d.getMetadata().setAnnotations(Map.of(CacheTrim.LAST_APPLIED, applied));
              return d;
            });
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofMinutes(10));

    Deployment fixed =
        eventually(
            () -> client.apps().deployments().inNamespace("solo").withName("app").get(),
            d ->
                d.getSpec().getTemplate().getSpec().getSecurityContext() != null
                    && Boolean.TRUE.equals(
                        d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getSecurityContext()
                            .getRunAsNonRoot()));
    // The patch added its record next to kubectl's copy, and left the copy as it was.
    assertThat(fixed.getMetadata().getAnnotations())
        .containsEntry(CacheTrim.LAST_APPLIED, applied)
        .containsKey("nonroot.dev/changes");
    harness.settledStatus("baseline", s -> s.getRemediated() == 1);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("solo")
                .withName("app")
                .get()
                .getMetadata()
                .getAnnotations())
        .containsEntry(CacheTrim.LAST_APPLIED, applied);
  }
}
