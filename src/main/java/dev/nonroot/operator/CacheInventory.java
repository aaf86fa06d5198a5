package dev.nonroot.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's view of Services, Namespaces, NetworkPolicies and the other workloads, answered from
 * informer caches only, through their indexes (by namespace, by pod label): what one decision costs
 * does not grow with the cluster. One instance serves one reconcile, of one workload: {@link
 * #services} holds only the Services whose selector selects its pods (the only ones a decision
 * reads), and they are converted to trees once.
 */
final class CacheInventory implements Inventory {
  private static final Logger LOG = LoggerFactory.getLogger(CacheInventory.class);

  /** Running pods of one template report the same uids: a few are enough. */
  private static final long IMAGE_USER_PODS = 5;

  private final Map<String, List<ObjectNode>> servicesByNamespace = new HashMap<>();
  private final Map<String, Service> served = new HashMap<>();
  private final ManagedInformerEventSource<Service, ?, ?> services;
  private final ManagedInformerEventSource<Namespace, ?, ?> namespaces;
  private final ManagedInformerEventSource<NetworkPolicy, ?, ?> networkPolicies;
  private final WorkloadCaches workloads;
  private final RolloutPods pods;
  private final boolean asksImageUsers;
  private final Map<String, String> podLabels;
  private final Map<String, List<WorkloadPods>> workloadsByNamespace = new HashMap<>();
  private final Map<String, List<ObjectNode>> networkPoliciesByNamespace = new HashMap<>();

  CacheInventory(
      ManagedInformerEventSource<Service, ?, ?> services,
      ManagedInformerEventSource<Namespace, ?, ?> namespaces,
      ManagedInformerEventSource<NetworkPolicy, ?, ?> networkPolicies,
      WorkloadCaches workloads,
      RolloutPods pods,
      boolean asksImageUsers,
      Map<String, String> podLabels) {
    this.services = services;
    this.namespaces = namespaces;
    this.networkPolicies = networkPolicies;
    this.workloads = workloads;
    this.pods = pods;
    this.asksImageUsers = asksImageUsers;
    this.podLabels = podLabels;
  }

  /**
   * The uid each container of the workload's running pods reports (KEP-3619), from one LIST of a
   * few pods by the workload's selector. The engine asks only when it is about to pick a uid, so
   * compliant workloads cost nothing. A container whose pods disagree (mid-rollout) is left out; a
   * refused LIST means nothing reports, and the policy's uid applies. Not asked (nothing reports)
   * while the workload waits in line for the rollout budget.
   */
  @Override
  public Map<String, Long> imageUsers(Workload workload) {
    // A workload waiting for the rollout budget is decided again every poll; the uid matters only
    // for the patch made when its turn comes, which is decided again with it.
    if (!asksImageUsers) return Map.of();
    // A workload whose controller has never written its status has no pod running yet (every
    // workload at its creation, which is when most are patched): a LIST could only come back empty.
    if (workload.root().path("status").isEmpty()) return Map.of();
    List<JsonNode> running;
    try {
      running =
          pods.selected(
              workload.ref().namespace(),
              workload.root().path("spec").path("selector"),
              IMAGE_USER_PODS);
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not list the pods of {} for the uid its image runs as ({}); using the policy's",
          workload.ref(),
          e.getCode());
      return Map.of();
    }
    Map<String, Long> uids = new TreeMap<>();
    Set<String> disagree = new HashSet<>();
    for (JsonNode pod : running) {
      if (pod.path("metadata").hasNonNull("deletionTimestamp")) continue;
      for (JsonNode cs : pod.path("status").path("containerStatuses")) {
        JsonNode uid = cs.path("user").path("linux").path("uid");
        if (!uid.canConvertToLong()) continue;
        Long before = uids.putIfAbsent(cs.path("name").asText(), uid.asLong());
        if (before != null && before != uid.asLong()) disagree.add(cs.path("name").asText());
      }
    }
    disagree.forEach(uids::remove);
    return uids;
  }

  @Override
  public List<WorkloadPods> workloads(String namespace) {
    return workloadsByNamespace.computeIfAbsent(namespace, workloads::workloads);
  }

  @Override
  public List<WorkloadPods> workloadsSelectedBy(String namespace, Map<String, String> selector) {
    return workloads.workloadsSelectedBy(namespace, selector);
  }

  @Override
  public List<ObjectNode> networkPolicies(String namespace) {
    return networkPoliciesByNamespace.computeIfAbsent(
        namespace,
        ns ->
            networkPolicies.byIndex(Cache.NAMESPACE_INDEX, ns).stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(ObjectTrees::of)
                .toList());
  }

  /**
   * The Services of one namespace whose selector selects the pods of the workload this inventory
   * serves, by name: the engine reads no other (a port move follows them, undeclared ports are
   * found in them), and neither do the reverts. Found through {@link #SELECTOR_INDEX}, by the pods'
   * labels: a namespace of many Services costs no more than one of a few.
   */
  @Override
  public List<ObjectNode> services(String namespace) {
    return servicesByNamespace.computeIfAbsent(
        namespace,
        ns -> {
          Map<String, Service> candidates = new TreeMap<>();
          podLabels.forEach(
              (k, v) -> {
                for (Service s : services.byIndex(SELECTOR_INDEX, selectorKey(ns, k, v))) {
                  candidates.putIfAbsent(s.getMetadata().getName(), s);
                }
              });
          // Filtered before the recent-write lookup, which is the costlier step, and again after
          // it: the decision reads the version the lookup returns.
          return candidates.values().stream()
              .filter(this::selectsPods)
              // Our own recent write, until its watch event brings it (see wrote).
              .map(s -> services.get(ResourceID.fromResource(s)).orElse(s))
              .filter(this::selectsPods)
              .map(
                  s -> {
                    served.put(ns + "/" + s.getMetadata().getName(), s);
                    return ObjectTrees.of(s);
                  })
              .toList();
        });
  }

  /**
   * The index of Services by one pair of their selector, "namespace/key=value". A Service selects a
   * workload's pods only if its every pair is among their labels, so any one pair will do: looking
   * up each label of the pods finds every Service that can select them, each once. A Service with
   * an empty selector selects nothing and is not indexed.
   */
  static final String SELECTOR_INDEX = "nonroot.dev/service-selector";

  /**
   * Keys that whole families of Services share (every Service of a Helm release carries the same
   * instance): indexed by one of these, one release's Services would all be filed under one pair
   * and all looked at for each of its workloads. The pair indexed is the least key not in here, or
   * the least key when all are.
   */
  private static final Set<String> SHARED_KEYS =
      Set.of(
          "app.kubernetes.io/instance",
          "app.kubernetes.io/part-of",
          "app.kubernetes.io/managed-by",
          "app.kubernetes.io/version",
          "helm.sh/chart",
          "release",
          "heritage",
          "chart");

  private static final Comparator<String> INDEXED_FIRST =
      Comparator.comparing((String k) -> SHARED_KEYS.contains(k))
          .thenComparing(Comparator.<String>naturalOrder());

  static List<String> selectorIndexKeys(Service s) {
    Map<String, String> selector =
        WorkloadCaches.strings(s.getSpec() == null ? null : s.getSpec().getSelector());
    if (selector.isEmpty()) return List.of();
    String key = Collections.min(selector.keySet(), INDEXED_FIRST);
    return List.of(selectorKey(s.getMetadata().getNamespace(), key, selector.get(key)));
  }

  private static String selectorKey(String namespace, String label, String value) {
    return namespace + "/" + label + "=" + value;
  }

  private boolean selectsPods(Service s) {
    Map<String, String> selector =
        WorkloadCaches.strings(s.getSpec() == null ? null : s.getSpec().getSelector());
    return !selector.isEmpty() && Inventory.selects(selector, podLabels);
  }

  /**
   * A Service this operator just wrote, for the decisions made before its watch event arrives: a
   * plan on the version before would move its targetPort again (a patch refused with 409, as the
   * version changed, and one more reconcile).
   */
  void wrote(Service before, Service after) {
    services.handleRecentResourceUpdate(ResourceID.fromResource(after), after, before);
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
