package dev.nonroot.operator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.PolicyMode;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.rules.RemediationEngine;
import dev.nonroot.engine.model.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe → evaluate → remediate → record for one workload kind. Reads come from informer caches;
 * in Enforce mode a non-compliant workload gets exactly one JSON Patch (plus one per Service whose
 * targetPort moves). Audit mode never writes: the status controller records what would change.
 */
public abstract class WorkloadRemediator<R extends HasMetadata> implements Reconciler<R> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadRemediator.class);

  private final Class<R> type;
  private final OperatorServices services;
  /** Workloads holding a booked patch slot: when they come back, they patch without booking again. */
  private final java.util.Map<ResourceID, Boolean> booked = new java.util.concurrent.ConcurrentHashMap<>();

  protected WorkloadRemediator(Class<R> type, OperatorServices services) {
    this.type = type;
    this.services = services;
  }

  @Override
  public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
    var primaries = context.getPrimaryCache();
    // Any policy change re-evaluates every workload of this kind; the engine decides what matches.
    var policies = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(NonRootPolicy.class, type)
            .withName(OperatorConstants.POLICIES)
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper(p -> primaries.list().map(ResourceID::fromResource).collect(Collectors.toSet()))
            // Status writes (up to one a second per policy) change nothing a workload depends on.
            .withOnUpdateFilter((next, old) -> !java.util.Objects.equals(next.getMetadata().getGeneration(),
                old.getMetadata().getGeneration()))
            .build(),
        context);
    var svc = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Service.class, type)
            .withName(OperatorConstants.SERVICES)
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper(s -> inNamespace(primaries.list(s.getMetadata().getNamespace())))
            .build(),
        context);
    var namespaces = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Namespace.class, type)
            .withName(OperatorConstants.NAMESPACES)
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper(n -> inNamespace(primaries.list(n.getMetadata().getName())))
            .build(),
        context);
    return List.of(policies, svc, namespaces);
  }

  private static <T extends HasMetadata> Set<ResourceID> inNamespace(java.util.stream.Stream<T> items) {
    return items.map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  @Override
  @SuppressWarnings("unchecked")
  public UpdateControl<R> reconcile(R resource, Context<R> context) {
    var retriever = context.eventSourceRetriever();
    var policySource = (InformerEventSource<NonRootPolicy, R>) retriever.getEventSourceFor(NonRootPolicy.class, OperatorConstants.POLICIES);
    var serviceSource = (InformerEventSource<Service, R>) retriever.getEventSourceFor(Service.class, OperatorConstants.SERVICES);
    var namespaceSource = (InformerEventSource<Namespace, R>) retriever.getEventSourceFor(Namespace.class, OperatorConstants.NAMESPACES);
    CacheInventory inventory = new CacheInventory(serviceSource, namespaceSource);

    ObjectNode tree = ObjectTrees.of(resource);
    Optional<Workload> workload = Workload.of(tree);
    if (workload.isEmpty()) return UpdateControl.noUpdate();
    ObjectRef ref = workload.get().ref();
    List<NonRootPolicy> policies = policySource.list(p -> true).toList();
    List<EffectivePolicy> matching = services.catalog().matching(policies, workload.get(), inventory);
    EffectivePolicy policy = matching.isEmpty() ? null : matching.get(0);
    Evaluation evaluation = policy == null || policy.mode() != PolicyMode.Enforce
        ? null : RemediationEngine.evaluate(policy, workload.get(), inventory);
    ResourceID id = ResourceID.fromResource(resource);
    if (evaluation == null || !evaluation.hasPlan()) {
      // Nothing to do (any more): an earlier failure or event no longer describes this workload.
      booked.remove(id);
      services.ledger().clear(ref);
      services.events().forget(resource);
      return UpdateControl.noUpdate();
    }
    if (!evaluation.changes().isEmpty() && booked.remove(id) == null) {
      Duration wait = services.budget().take();
      if (!wait.isZero()) {
        booked.put(id, Boolean.TRUE);
        return UpdateControl.<R>noUpdate().rescheduleAfter(wait);
      }
    }
    String now = Instant.now(services.clock()).toString();
    boolean workloadPatched = false;
    try {
      if (!evaluation.changes().isEmpty()) {
        R updated = services.patcher().patch(resource, tree, evaluation.changes(), policy.name(), now);
        // Feed our own write into the cache, so an event racing the watch does not re-plan it.
        context.eventSourceRetriever().getControllerEventSource()
            .handleRecentResourceUpdate(ResourceID.fromResource(resource), updated, resource);
        services.metrics().increment(OperatorMetrics.PATCHES);
        workloadPatched = true;
        services.events().normal(resource, EventRecorder.REMEDIATED, summary(policy, evaluation.changes()));
      }
      patchServices(evaluation.serviceChanges(), inventory, policy, now);
      services.ledger().clear(ref);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        services.metrics().increment(OperatorMetrics.CONFLICTS);
        // The object moved on (or is gone) since the cache saw it: its next event re-evaluates it.
        LOG.debug("{} changed while being remediated ({}); waiting for the fresh version", ref, e.getCode());
        return UpdateControl.noUpdate();
      }
      String message = "patch failed (" + e.getCode() + "): " + firstLine(e.getMessage());
      services.metrics().increment(OperatorMetrics.FAILURES);
      services.ledger().failed(ref, policy.name(), message);
      services.events().warning(resource, EventRecorder.FAILED, message);
      throw e;
    }
    return UpdateControl.noUpdate();
  }

  private void patchServices(List<Change> changes, CacheInventory inventory, EffectivePolicy policy, String now) {
    Map<ObjectRef, List<Change>> byService = new LinkedHashMap<>();
    for (Change c : changes) byService.computeIfAbsent(c.target(), k -> new java.util.ArrayList<>()).add(c);
    for (Map.Entry<ObjectRef, List<Change>> e : byService.entrySet()) {
      Optional<Service> svc = inventory.served(e.getKey().namespace(), e.getKey().name());
      if (svc.isEmpty()) continue;
      services.patcher().patch(svc.get(), ObjectTrees.of(svc.get()), e.getValue(), policy.name(), now);
      services.metrics().increment(OperatorMetrics.SERVICE_PATCHES);
      services.events().normal(svc.get(), EventRecorder.REMEDIATED, summary(policy, e.getValue()));
    }
  }

  static String summary(EffectivePolicy policy, List<Change> changes) {
    String fields = changes.stream().map(Change::field).limit(5).collect(Collectors.joining(", "));
    int more = changes.size() - 5;
    return "policy " + policy.name() + " changed " + changes.size() + " field(s): " + fields
        + (more > 0 ? " and " + more + " more" : "");
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Shared collaborators of all controllers of one operator instance. */
  public record OperatorServices(PolicyCatalog catalog, WorkloadPatcher patcher, EventRecorder events,
      RemediationLedger ledger, OperatorMetrics metrics, PatchBudget budget, Clock clock) {}
}
