package dev.nonroot.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The table of workload kinds: every place that needs to know a kind (matching, the engine's
 * pod-template lookup, controller registration, status, RBAC tests, the embedded API server)
 * iterates this enum instead of keeping its own list.
 */
public enum WorkloadKind {
  Deployment("apps", "deployments", Deployment.class, Paths.TEMPLATE, true),
  StatefulSet("apps", "statefulsets", StatefulSet.class, Paths.TEMPLATE, true),
  DaemonSet("apps", "daemonsets", DaemonSet.class, Paths.TEMPLATE, true),
  // Not watched by default: a ReplicaSet does not replace its pods when its template changes, and
  // the pod templates of Jobs and Pods are immutable. scan and fix handle them all.
  ReplicaSet("apps", "replicasets", ReplicaSet.class, Paths.TEMPLATE, false),
  Job("batch", "jobs", Job.class, Paths.TEMPLATE, false),
  CronJob(
      "batch",
      "cronjobs",
      CronJob.class,
      List.of("spec", "jobTemplate", "spec", "template"),
      false),
  Pod("", "pods", Pod.class, List.of(), false);

  private static final class Paths {
    static final List<String> TEMPLATE = List.of("spec", "template");
  }

  /** API groups a manifest may still name for these kinds (extensions/v1beta1 predates apps). */
  private static final Set<String> LEGACY_GROUPS = Set.of("extensions");

  private final String group;
  private final String plural;
  private final Class<? extends HasMetadata> type;
  private final List<String> templatePath;
  private final boolean watchedByDefault;

  WorkloadKind(
      String group,
      String plural,
      Class<? extends HasMetadata> type,
      List<String> templatePath,
      boolean watchedByDefault) {
    this.group = group;
    this.plural = plural;
    this.type = type;
    this.templatePath = templatePath;
    this.watchedByDefault = watchedByDefault;
  }

  /** The API group: "apps", "batch", or "" for the core group. */
  public String group() {
    return group;
  }

  public String version() {
    return "v1";
  }

  public String apiVersion() {
    return group.isEmpty() ? version() : group + "/" + version();
  }

  /** The resource name in URLs and RBAC rules. */
  public String plural() {
    return plural;
  }

  /** The fabric8 model class, for informers and typed clients. */
  public Class<? extends HasMetadata> type() {
    return type;
  }

  /**
   * Keys from the object's root to its PodTemplateSpec (the object holding the pod's metadata and
   * spec); empty for a Pod, which is its own template.
   */
  public List<String> templatePath() {
    return templatePath;
  }

  /**
   * Whether the operator watches and patches this kind unless told otherwise: its pod template can
   * be changed in place and the change rolls out.
   */
  public boolean watchedByDefault() {
    return watchedByDefault;
  }

  /**
   * The pod template of a typed object of this kind (null when it has none), for cheap comparisons
   * of two versions without converting them to trees.
   */
  public Object podTemplateOf(HasMetadata o) {
    return switch (this) {
      case Deployment ->
          o instanceof Deployment d && d.getSpec() != null ? d.getSpec().getTemplate() : null;
      case StatefulSet ->
          o instanceof StatefulSet s && s.getSpec() != null ? s.getSpec().getTemplate() : null;
      case DaemonSet ->
          o instanceof DaemonSet d && d.getSpec() != null ? d.getSpec().getTemplate() : null;
      case ReplicaSet ->
          o instanceof ReplicaSet r && r.getSpec() != null ? r.getSpec().getTemplate() : null;
      case Job -> o instanceof Job j && j.getSpec() != null ? j.getSpec().getTemplate() : null;
      case CronJob ->
          o instanceof CronJob c
                  && c.getSpec() != null
                  && c.getSpec().getJobTemplate() != null
                  && c.getSpec().getJobTemplate().getSpec() != null
              ? c.getSpec().getJobTemplate().getSpec().getTemplate()
              : null;
      case Pod -> o instanceof Pod p ? p.getSpec() : null;
    };
  }

  public static Set<WorkloadKind> watchedKinds() {
    Set<WorkloadKind> out = EnumSet.noneOf(WorkloadKind.class);
    for (WorkloadKind k : values()) {
      if (k.watchedByDefault) out.add(k);
    }
    return out;
  }

  /**
   * The kind of an object from its apiVersion and kind, or empty when it is no workload this table
   * knows. Manifests are read leniently: any built-in group of the table (or a legacy one) will do.
   */
  public static Optional<WorkloadKind> of(String apiVersion, String kind) {
    String g =
        apiVersion == null || !apiVersion.contains("/")
            ? ""
            : apiVersion.substring(0, apiVersion.indexOf('/'));
    if (!g.isEmpty() && !LEGACY_GROUPS.contains(g) && !knownGroup(g)) return Optional.empty();
    for (WorkloadKind k : values()) {
      if (k.name().equals(kind)) return Optional.of(k);
    }
    return Optional.empty();
  }

  /** The kind of a typed object. */
  public static Optional<WorkloadKind> of(Class<?> type) {
    for (WorkloadKind k : values()) {
      if (k.type.equals(type)) return Optional.of(k);
    }
    return Optional.empty();
  }

  private static boolean knownGroup(String g) {
    for (WorkloadKind k : values()) {
      if (k.group.equals(g)) return true;
    }
    return false;
  }
}
