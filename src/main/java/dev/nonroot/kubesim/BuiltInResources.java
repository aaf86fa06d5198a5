package dev.nonroot.kubesim;

import java.util.List;

/** The built-in resource types the demo server advertises, with their short names and printers. */
final class BuiltInResources {
  private BuiltInResources() {}

  private static final List<String> ALL = List.of("all");
  private static final List<String> CREATE_ONLY = List.of("create");

  static List<ResourceType> all() {
    return List.of(
        type("", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(), true,
            BuiltInColumns.namespaces()),
        type("", "nodes", "node", "Node", false, List.of("no"), List.of(), true, BuiltInColumns.nodes()),
        type("", "pods", "pod", "Pod", true, List.of("po"), ALL, true, BuiltInColumns.pods()),
        type("", "services", "service", "Service", true, List.of("svc"), ALL, true, BuiltInColumns.services()),
        type("", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(), false,
            BuiltInColumns.configMaps()),
        type("", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), List.of(), false,
            BuiltInColumns.serviceAccounts()),
        type("", "events", "event", "Event", true, List.of("ev"), List.of(), false, BuiltInColumns.events()),
        type("apps", "deployments", "deployment", "Deployment", true, List.of("deploy"), ALL, true,
            BuiltInColumns.deployments()),
        type("apps", "statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), ALL, true,
            BuiltInColumns.statefulSets()),
        type("apps", "daemonsets", "daemonset", "DaemonSet", true, List.of("ds"), ALL, true,
            BuiltInColumns.daemonSets()),
        type("apps", "replicasets", "replicaset", "ReplicaSet", true, List.of("rs"), ALL, true,
            BuiltInColumns.replicaSets()),
        type("batch", "jobs", "job", "Job", true, List.of(), ALL, true, BuiltInColumns.jobs()),
        type("batch", "cronjobs", "cronjob", "CronJob", true, List.of("cj"), ALL, true, BuiltInColumns.cronJobs()),
        type("events.k8s.io", "events", "event", "Event", true, List.of("ev"), List.of(), false,
            BuiltInColumns.events()),
        type("coordination.k8s.io", "leases", "lease", "Lease", true, List.of(), List.of(), false,
            BuiltInColumns.leases()),
        type("apiextensions.k8s.io", "customresourcedefinitions", "customresourcedefinition",
            "CustomResourceDefinition", false, List.of("crd", "crds"), List.of(), true,
            BuiltInColumns.customResourceDefinitions()),
        new ResourceType("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
            "SelfSubjectAccessReview", false, List.of(), CREATE_ONLY, List.of(), false,
            BuiltInColumns.nameAndAge(), false, null),
        new ResourceType("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview",
            "SelfSubjectRulesReview", false, List.of(), CREATE_ONLY, List.of(), false,
            BuiltInColumns.nameAndAge(), false, null));
  }

  private static ResourceType type(String group, String plural, String singular, String kind, boolean namespaced,
      List<String> shortNames, List<String> categories, boolean status, List<TableColumn> columns) {
    return new ResourceType(group, "v1", plural, singular, kind, namespaced, shortNames, ResourceType.ALL_VERBS,
        categories, status, columns, false, null);
  }
}
