package dev.nonroot.kubesim;

import dev.nonroot.api.WorkloadKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The built-in resource types the embedded server advertises, with their short names and printers.
 * The workload kinds come from {@link WorkloadKind}, each listed with the other types of its API
 * group.
 */
final class BuiltInResources {
  private BuiltInResources() {}

  private static final List<String> ALL = List.of("all");
  private static final List<String> CREATE_ONLY = List.of("create");

  /**
   * What the table does not say about a workload kind: kubectl's short names and the printer
   * columns.
   */
  private record Printing(List<String> shortNames, Supplier<List<TableColumn>> columns) {}

  private static final Map<WorkloadKind, Printing> WORKLOAD_PRINTING =
      new EnumMap<>(
          Map.of(
              WorkloadKind.Deployment, new Printing(List.of("deploy"), BuiltInColumns::deployments),
              WorkloadKind.StatefulSet, new Printing(List.of("sts"), BuiltInColumns::statefulSets),
              WorkloadKind.DaemonSet, new Printing(List.of("ds"), BuiltInColumns::daemonSets),
              WorkloadKind.ReplicaSet, new Printing(List.of("rs"), BuiltInColumns::replicaSets),
              WorkloadKind.Job, new Printing(List.of(), BuiltInColumns::jobs),
              WorkloadKind.CronJob, new Printing(List.of("cj"), BuiltInColumns::cronJobs),
              WorkloadKind.Pod, new Printing(List.of("po"), BuiltInColumns::pods)));

  /**
   * A kind added to the table without an entry above: no short names, and the generic Name/Age
   * printer.
   */
  private static final Printing GENERIC = new Printing(List.of(), BuiltInColumns::nameAndAge);

  static List<ResourceType> all() {
    List<ResourceType> all = new ArrayList<>();
    all.add(
        type(
            "",
            "namespaces",
            "namespace",
            "Namespace",
            false,
            List.of("ns"),
            List.of(),
            true,
            BuiltInColumns.namespaces()));
    all.add(
        type(
            "",
            "nodes",
            "node",
            "Node",
            false,
            List.of("no"),
            List.of(),
            true,
            BuiltInColumns.nodes()));
    all.addAll(workloads(""));
    all.add(
        type(
            "",
            "services",
            "service",
            "Service",
            true,
            List.of("svc"),
            ALL,
            true,
            BuiltInColumns.services()));
    all.add(
        type(
            "",
            "configmaps",
            "configmap",
            "ConfigMap",
            true,
            List.of("cm"),
            List.of(),
            false,
            BuiltInColumns.configMaps()));
    all.add(
        type(
            "",
            "serviceaccounts",
            "serviceaccount",
            "ServiceAccount",
            true,
            List.of("sa"),
            List.of(),
            false,
            BuiltInColumns.serviceAccounts()));
    all.add(
        type(
            "",
            "events",
            "event",
            "Event",
            true,
            List.of("ev"),
            List.of(),
            false,
            BuiltInColumns.events()));
    all.addAll(workloads("apps"));
    all.addAll(workloads("batch"));
    all.add(
        type(
            "events.k8s.io",
            "events",
            "event",
            "Event",
            true,
            List.of("ev"),
            List.of(),
            false,
            BuiltInColumns.events()));
    // Watched by the operator: a moved port is reported where a NetworkPolicy still admits the old.
    all.add(
        type(
            "networking.k8s.io",
            "networkpolicies",
            "networkpolicy",
            "NetworkPolicy",
            true,
            List.of("netpol"),
            List.of(),
            false,
            BuiltInColumns.nameAndAge()));
    all.add(
        type(
            "coordination.k8s.io",
            "leases",
            "lease",
            "Lease",
            true,
            List.of(),
            List.of(),
            false,
            BuiltInColumns.leases()));
    all.add(
        type(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "customresourcedefinition",
            "CustomResourceDefinition",
            false,
            List.of("crd", "crds"),
            List.of(),
            true,
            BuiltInColumns.customResourceDefinitions()));
    all.add(
        new ResourceType(
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
            "selfsubjectaccessreview",
            "SelfSubjectAccessReview",
            false,
            List.of(),
            CREATE_ONLY,
            List.of(),
            false,
            BuiltInColumns.nameAndAge(),
            false,
            null));
    all.add(
        new ResourceType(
            "authorization.k8s.io",
            "v1",
            "selfsubjectrulesreviews",
            "selfsubjectrulesreview",
            "SelfSubjectRulesReview",
            false,
            List.of(),
            CREATE_ONLY,
            List.of(),
            false,
            BuiltInColumns.nameAndAge(),
            false,
            null));
    for (WorkloadKind k : WorkloadKind.values()) {
      if (!WORKLOAD_GROUPS.contains(k.group()))
        all.add(workload(k)); // a kind of some other group: last
    }
    return List.copyOf(all);
  }

  /** The groups whose workload kinds all() lists among the group's other types. */
  private static final List<String> WORKLOAD_GROUPS = List.of("", "apps", "batch");

  /** The workload kinds of one API group, in table order. */
  private static List<ResourceType> workloads(String group) {
    List<ResourceType> out = new ArrayList<>();
    for (WorkloadKind k : WorkloadKind.values()) {
      if (k.group().equals(group)) out.add(workload(k));
    }
    return out;
  }

  /** Namespaced, in the category "all", with a status subresource. */
  private static ResourceType workload(WorkloadKind k) {
    Printing printing = WORKLOAD_PRINTING.getOrDefault(k, GENERIC);
    return new ResourceType(
        k.group(),
        k.version(),
        k.plural(),
        k.name().toLowerCase(Locale.ROOT),
        k.name(),
        true,
        printing.shortNames(),
        ResourceType.ALL_VERBS,
        ALL,
        true,
        printing.columns().get(),
        false,
        null);
  }

  private static ResourceType type(
      String group,
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<String> categories,
      boolean status,
      List<TableColumn> columns) {
    return new ResourceType(
        group,
        "v1",
        plural,
        singular,
        kind,
        namespaced,
        shortNames,
        ResourceType.ALL_VERBS,
        categories,
        status,
        columns,
        false,
        null);
  }
}
