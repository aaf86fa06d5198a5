package dev.nonroot.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.NamespaceInfo;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.RecordedPatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The floor: what a bare fabric8 client needs to send the operator's remediation patches. The
 * patches are planned beforehand by the engine, exactly as the operator plans them (the same
 * Governor decision, the same JSON Patch with the resourceVersion guard and the record, the
 * workload before its Services), then sent on as many threads as the operator reconciles on, with
 * no informers and no status.
 */
final class Floor {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final PatchContext JSON_PATCH =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager("nonroot-operator")
          .build();

  /** One workload's writes, in the operator's order. */
  record Writes(List<Write> writes) {}

  record Write(HasMetadata target, String body) {}

  record Result(int workloadPatches, int servicePatches, double planSeconds, double sendSeconds) {}

  /** The floor's patches, planned before anything is timed: {@link #send} is the floor. */
  record Planned(List<Writes> plans, double planSeconds) {}

  private Floor() {}

  static Planned planned(KubernetesClient client, Clock clock) {
    long planStart = System.nanoTime();
    List<Writes> plans = plan(client, clock);
    return new Planned(plans, (System.nanoTime() - planStart) / 1e9);
  }

  static Result send(KubernetesClient client, int threads, Planned planned) throws Exception {
    int workloads = 0;
    int services = 0;
    for (Writes w : planned.plans()) {
      for (Write one : w.writes()) {
        if (one.target() instanceof Service) services++;
        else workloads++;
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (Writes w : planned.plans()) {
        done.add(
            pool.submit(
                () -> {
                  for (Write one : w.writes())
                    client.resource(one.target()).patch(JSON_PATCH, one.body());
                }));
      }
      for (Future<?> f : done) f.get();
      return new Result(
          workloads, services, planned.planSeconds(), (System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The engine's plan for every Deployment on the server, as the operator would write it. */
  static List<Writes> plan(KubernetesClient client, Clock clock) {
    List<ResolvedPolicy> resolved = new ArrayList<>();
    for (NonRootPolicy p : client.resources(NonRootPolicy.class).list().getItems()) {
      resolved.add(ResolvedPolicy.of(p));
    }
    PolicySet policies = PolicySet.of(resolved);
    ListedInventory inventory =
        new ListedInventory(
            client.services().inAnyNamespace().list().getItems(),
            client.namespaces().list().getItems());
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    List<Writes> out = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
      ObjectNode tree = SERIALIZATION.convertValue(d, ObjectNode.class);
      Optional<Workload> workload = Workload.of(WorkloadKind.Deployment, tree);
      if (workload.isEmpty()) continue;
      Decision decision = Governor.decide(policies, workload.get(), inventory);
      if (decision.action() != Decision.Action.PATCH) continue;
      String policy = decision.governing().name();
      List<Write> writes = new ArrayList<>();
      List<Change> changes = decision.evaluation().changes();
      if (!changes.isEmpty()) {
        writes.add(
            new Write(
                d,
                RecordedPatch.of(tree, changes, policy, now, RecordedPatch.Guard.RESOURCE_VERSION)
                    .toString()));
      }
      Map<String, List<Change>> byService = new LinkedHashMap<>();
      for (Change c : decision.evaluation().serviceChanges()) {
        byService
            .computeIfAbsent(
                c.target().namespace() + "/" + c.target().name(), k -> new ArrayList<>())
            .add(c);
      }
      byService.forEach(
          (key, serviceChanges) -> {
            Service svc = inventory.service(key);
            if (svc == null) return;
            writes.add(
                new Write(
                    svc,
                    RecordedPatch.of(
                            SERIALIZATION.convertValue(svc, ObjectNode.class),
                            serviceChanges,
                            policy,
                            now,
                            RecordedPatch.Guard.RESOURCE_VERSION)
                        .toString()));
          });
      if (!writes.isEmpty()) out.add(new Writes(writes));
    }
    return out;
  }

  /** Services and Namespaces listed once, as the operator's caches would hold them. */
  private static final class ListedInventory implements Inventory {
    private final Map<String, List<ObjectNode>> servicesByNamespace = new HashMap<>();
    private final Map<String, Service> byKey = new HashMap<>();
    private final Map<String, NamespaceInfo> namespaces = new HashMap<>();

    ListedInventory(List<Service> services, List<Namespace> namespaceList) {
      List<Service> sorted = new ArrayList<>(services);
      sorted.sort(Comparator.comparing(s -> s.getMetadata().getName()));
      for (Service s : sorted) {
        String ns = s.getMetadata().getNamespace();
        servicesByNamespace
            .computeIfAbsent(ns, k -> new ArrayList<>())
            .add(SERIALIZATION.convertValue(s, ObjectNode.class));
        byKey.put(ns + "/" + s.getMetadata().getName(), s);
      }
      for (Namespace n : namespaceList) {
        String name = n.getMetadata().getName();
        namespaces.put(
            name,
            new NamespaceInfo(
                name,
                n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels(),
                n.getMetadata().getAnnotations() == null
                    ? Map.of()
                    : n.getMetadata().getAnnotations()));
      }
    }

    Service service(String key) {
      return byKey.get(key);
    }

    @Override
    public List<ObjectNode> services(String namespace) {
      return servicesByNamespace.getOrDefault(namespace, List.of());
    }

    @Override
    public Optional<NamespaceInfo> namespace(String name) {
      return Optional.ofNullable(namespaces.get(name));
    }
  }
}
