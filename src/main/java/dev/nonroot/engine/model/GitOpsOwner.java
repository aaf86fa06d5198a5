package dev.nonroot.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * The GitOps application that manages a workload, recognised from the tracking metadata Argo CD and
 * Flux put on every object they apply. Those tools set back every field Git declares, so a patch in
 * the cluster is undone at their next sync and made again: the fix belongs in Git.
 *
 * <p>Recognised, in this order (the first that fits names the owner):
 *
 * <ol>
 *   <li>Argo CD annotation {@code argocd.argoproj.io/tracking-id}, {@code
 *       app:group/Kind:namespace/name}, when it names this very object (a copied manifest carries
 *       another object's id, which Argo CD does not track either);
 *   <li>Argo CD {@code argocd.argoproj.io/instance}, label or annotation (the {@code
 *       application.instanceLabelKey} Argo CD's documentation suggests instead of the default);
 *   <li>Argo CD label tracking, {@code app.kubernetes.io/instance}, only with evidence that Argo CD
 *       applied the object: a {@code managedFields} entry of {@code argocd-controller} or {@code
 *       argocd-application-controller}, or an {@code argocd.argoproj.io/} annotation (sync-wave,
 *       sync-options, ...). Helm charts put that label on everything, so alone it proves nothing;
 *   <li>Flux kustomize-controller labels {@code kustomize.toolkit.fluxcd.io/name} (and {@code
 *       /namespace});
 *   <li>Flux helm-controller labels {@code helm.toolkit.fluxcd.io/name} (and {@code /namespace}).
 * </ol>
 *
 * @param tool "Argo CD" or "Flux"
 * @param application what manages it, as its tool names it: "application shop/web", "Kustomization
 *     flux-system/apps", "HelmRelease podinfo/podinfo"
 * @param evidence the metadata it was recognised by
 * @param at where that metadata is in the object
 */
public record GitOpsOwner(String tool, String application, String evidence, FieldPath at) {
  private static final FieldPath LABELS = FieldPath.root().key("metadata").key("labels");
  private static final FieldPath ANNOTATIONS = FieldPath.root().key("metadata").key("annotations");

  public static final String ARGO_TRACKING_ID = "argocd.argoproj.io/tracking-id";
  public static final String ARGO_INSTANCE = "argocd.argoproj.io/instance";
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  private static final String ARGO_PREFIX = "argocd.argoproj.io/";
  public static final String FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/";
  public static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";

  /** The owner of {@code workload}, or empty when no GitOps tool's tracking metadata is on it. */
  public static Optional<GitOpsOwner> of(Workload workload) {
    Map<String, String> annotations = workload.annotations();
    Map<String, String> labels = workload.labels();
    String trackingId = annotations.get(ARGO_TRACKING_ID);
    if (trackingId != null) {
      Optional<String> app = trackedApplication(trackingId, workload.ref());
      if (app.isPresent()) {
        return Optional.of(
            argo(
                app.get(),
                "annotation " + ARGO_TRACKING_ID + ": " + trackingId.strip(),
                ANNOTATIONS.key(ARGO_TRACKING_ID)));
      }
    }
    String argoInstance = labels.get(ARGO_INSTANCE);
    FieldPath where = LABELS;
    if (argoInstance == null || argoInstance.isBlank()) {
      argoInstance = annotations.get(ARGO_INSTANCE);
      where = ANNOTATIONS;
    }
    if (argoInstance != null && !argoInstance.isBlank()) {
      return Optional.of(
          argo(
              argoInstance,
              (where == LABELS ? "label " : "annotation ")
                  + ARGO_INSTANCE
                  + ": "
                  + argoInstance.strip(),
              where.key(ARGO_INSTANCE)));
    }
    String instance = labels.get(INSTANCE_LABEL);
    if (instance != null && !instance.isBlank() && trackingId == null) {
      String proof = argoEvidence(workload.root(), annotations);
      if (proof != null) {
        return Optional.of(
            argo(
                instance,
                "label " + INSTANCE_LABEL + ": " + instance.strip() + " with " + proof,
                LABELS.key(INSTANCE_LABEL)));
      }
    }
    Optional<GitOpsOwner> flux = flux(labels, FLUX_KUSTOMIZE, "Kustomization");
    return flux.isPresent() ? flux : flux(labels, FLUX_HELM, "HelmRelease");
  }

  /** "Argo CD application shop/web" */
  public String describe() {
    return tool + " " + application;
  }

  /**
   * The application of an Argo CD tracking id, if the id names {@code ref}: Argo CD ignores an id
   * that names another object, and so does this.
   */
  private static Optional<String> trackedApplication(String id, ObjectRef ref) {
    String[] parts = id.strip().split(":", -1);
    if (parts.length != 3 || parts[0].isEmpty()) return Optional.empty();
    int slash = parts[1].lastIndexOf('/');
    String kind = slash < 0 ? parts[1] : parts[1].substring(slash + 1);
    int sep = parts[2].indexOf('/');
    String namespace = sep < 0 ? "" : parts[2].substring(0, sep);
    String name = sep < 0 ? parts[2] : parts[2].substring(sep + 1);
    if (!kind.equals(ref.kind()) || !name.equals(ref.name())) return Optional.empty();
    if (!namespace.isEmpty() && !ref.namespace().isEmpty() && !namespace.equals(ref.namespace()))
      return Optional.empty();
    return Optional.of(parts[0]);
  }

  /** Something only Argo CD puts on an object, or null. */
  private static String argoEvidence(JsonNode root, Map<String, String> annotations) {
    for (JsonNode entry : root.path("metadata").path("managedFields")) {
      String manager = entry.path("manager").asText("");
      if (manager.equals("argocd-controller") || manager.equals("argocd-application-controller"))
        return "managedFields manager " + manager;
    }
    for (String key : annotations.keySet()) {
      if (key.startsWith(ARGO_PREFIX)) return "annotation " + key;
    }
    return null;
  }

  /**
   * Argo CD names an application outside its own namespace {@code namespace_name} in its tracking
   * metadata; an application name cannot contain "_", so it is shown as namespace/name.
   */
  private static GitOpsOwner argo(String instance, String evidence, FieldPath at) {
    String app = instance.strip();
    int sep = app.indexOf('_');
    if (sep > 0 && sep < app.length() - 1)
      app = app.substring(0, sep) + "/" + app.substring(sep + 1);
    return new GitOpsOwner("Argo CD", "application " + app, evidence, at);
  }

  private static Optional<GitOpsOwner> flux(
      Map<String, String> labels, String prefix, String kind) {
    String name = labels.get(prefix + "name");
    if (name == null || name.isBlank()) return Optional.empty();
    String namespace = labels.getOrDefault(prefix + "namespace", "").strip();
    String app = namespace.isEmpty() ? name.strip() : namespace + "/" + name.strip();
    return Optional.of(
        new GitOpsOwner(
            "Flux",
            kind + " " + app,
            "labels " + prefix + "name" + (namespace.isEmpty() ? "" : ", " + prefix + "namespace"),
            LABELS.key(prefix + "name")));
  }
}
