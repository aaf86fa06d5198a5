package dev.nonroot.operator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.WorkloadPods;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's view of Services, Namespaces, NetworkPolicies and the other workloads, answered from
 * informer caches only. One instance serves one reconcile: each namespace's Services are converted
 * once, not once per workload.
 */
final class CacheInventory implements Inventory {
  private final Map<String, List<ObjectNode>> servicesByNamespace = new HashMap<>();
  private final Map<String, Service> served = new HashMap<>();
  private final ManagedInformerEventSource<Service, ?, ?> services;
  private final ManagedInformerEventSource<Namespace, ?, ?> namespaces;
  private final ManagedInformerEventSource<NetworkPolicy, ?, ?> networkPolicies;
  private final WorkloadCaches workloads;
  private final Map<String, List<WorkloadPods>> workloadsByNamespace = new HashMap<>();
  private final Map<String, List<ObjectNode>> networkPoliciesByNamespace = new HashMap<>();

  CacheInventory(
      ManagedInformerEventSource<Service, ?, ?> services,
      ManagedInformerEventSource<Namespace, ?, ?> namespaces,
      ManagedInformerEventSource<NetworkPolicy, ?, ?> networkPolicies,
      WorkloadCaches workloads) {
    this.services = services;
    this.namespaces = namespaces;
    this.networkPolicies = networkPolicies;
    this.workloads = workloads;
  }

  @Override
  public List<WorkloadPods> workloads(String namespace) {
    return workloadsByNamespace.computeIfAbsent(namespace, workloads::workloads);
  }

  @Override
  public List<ObjectNode> networkPolicies(String namespace) {
    return networkPoliciesByNamespace.computeIfAbsent(
        namespace,
        ns ->
            networkPolicies
                .list(ns, p -> true)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(ObjectTrees::of)
                .toList());
  }

  @Override
  public List<ObjectNode> services(String namespace) {
    return servicesByNamespace.computeIfAbsent(
        namespace,
        ns ->
            services
                .list(ns, s -> true)
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .map(
                    s -> {
                      served.put(ns + "/" + s.getMetadata().getName(), s);
                      return ObjectTrees.of(s);
                    })
                .toList());
  }

  /**
   * The exact Service version a plan was made from, so its patch (and resourceVersion guard)
   * applies to that version and no other.
   */
  Optional<Service> served(String namespace, String name) {
    return Optional.ofNullable(served.get(namespace + "/" + name));
  }

  @Override
  public Optional<NamespaceInfo> namespace(String name) {
    return namespaces
        .get(new ResourceID(name))
        .map(
            ns ->
                new NamespaceInfo(
                    name,
                    ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels(),
                    ns.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : ns.getMetadata().getAnnotations()));
  }
}
