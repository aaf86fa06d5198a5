package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import dev.nonroot.engine.model.ObjectRef;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps each policy's status true to the cluster: validation, counters, conditions and the record
 * of changes. At most one status write per second per policy (the rate limit coalesces bursts of
 * workload events), and none when nothing changed.
 */
@ControllerConfiguration(name = "policies", fieldManager = OperatorConstants.FIELD_MANAGER)
@RateLimited(maxReconciliations = 1, within = 1, unit = TimeUnit.SECONDS)
public class PolicyStatusReconciler implements Reconciler<NonRootPolicy> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PolicyStatusReconciler.class);
  private static final String LEDGER = "ledger";
  private static final List<Class<? extends HasMetadata>> WORKLOAD_KINDS =
      List.of(Deployment.class, StatefulSet.class, DaemonSet.class);

  private final StatusCalculator calculator;
  private final PolicyCatalog catalog;
  private final EventRecorder events;
  private final RemediationLedger ledger;
  private final Clock clock;
  private final OperatorMetrics metrics;

  public PolicyStatusReconciler(WorkloadRemediator.OperatorServices services) {
    this.calculator = new StatusCalculator(services.catalog(), services.ledger());
    this.catalog = services.catalog();
    this.events = services.events();
    this.ledger = services.ledger();
    this.clock = services.clock();
    this.metrics = services.metrics();
  }

  @Override
  public List<EventSource<?, NonRootPolicy>> prepareEventSources(EventSourceContext<NonRootPolicy> context) {
    IndexerResourceCache<NonRootPolicy> policies = context.getPrimaryCache();
    List<EventSource<?, NonRootPolicy>> sources = new ArrayList<>();
    for (Class<? extends HasMetadata> kind : WORKLOAD_KINDS) {
      sources.add(informer(kind, context, policies, true));
    }
    sources.add(informer(Service.class, context, policies, false));
    sources.add(informer(Namespace.class, context, policies, false));
    SimpleInboundEventSource<NonRootPolicy> failures = new SimpleInboundEventSource<>(LEDGER);
    ledger.onChange(policy -> failures.propagateEvent(new ResourceID(policy)));
    sources.add(failures);
    return sources;
  }

  private static <T extends HasMetadata> InformerEventSource<T, NonRootPolicy> informer(Class<T> kind,
      EventSourceContext<NonRootPolicy> context, IndexerResourceCache<NonRootPolicy> policies, boolean workload) {
    var config = InformerEventSourceConfiguration.from(kind, NonRootPolicy.class)
        .withName(kind.getSimpleName())
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(r -> policies.list().map(ResourceID::fromResource).collect(Collectors.toSet()));
    if (workload) {
      // Rollout status churn does not change what a policy reports; spec, labels and records do.
      config.withOnUpdateFilter(PodTemplates::relevantUpdate);
    }
    return new InformerEventSource<>(config.build(), context);
  }

  @Override
  @SuppressWarnings("unchecked")
  public UpdateControl<NonRootPolicy> reconcile(NonRootPolicy policy, Context<NonRootPolicy> context) {
    var retriever = context.eventSourceRetriever();
    List<HasMetadata> workloads = new ArrayList<>();
    for (Class<? extends HasMetadata> kind : WORKLOAD_KINDS) {
      var source = (InformerEventSource<HasMetadata, NonRootPolicy>) retriever.getEventSourceFor(kind, kind.getSimpleName());
      source.list(r -> true).forEach(workloads::add);
    }
    var services = (InformerEventSource<Service, NonRootPolicy>) retriever.getEventSourceFor(Service.class, "Service");
    var namespaces = (InformerEventSource<Namespace, NonRootPolicy>) retriever.getEventSourceFor(Namespace.class, "Namespace");
    List<NonRootPolicy> all = context.getPrimaryCache().list().toList();
    forgetWhatIsGone(workloads, all);
    List<Service> annotatedServices = services.list(s -> WorkloadPatcher.annotation(s) != null).toList();
    long started = System.nanoTime();
    NonRootPolicyStatus next = calculator.calculate(policy, all, workloads, annotatedServices,
        new CacheInventory(services, namespaces), Instant.now(clock).toString());
    LOG.debug("status of {} computed over {} workloads in {} ms", policy.getMetadata().getName(), workloads.size(),
        (System.nanoTime() - started) / 1_000_000);
    if (next.equals(policy.getStatus())) return UpdateControl.noUpdate();
    metrics.increment(OperatorMetrics.STATUS_WRITES);
    PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(policy, context, p -> {
      NonRootPolicy copy = new NonRootPolicy();
      copy.setMetadata(p.getMetadata());
      copy.setSpec(p.getSpec());
      copy.setStatus(next);
      return copy;
    });
    LOG.debug("status of {} written in {} ms", policy.getMetadata().getName(), (System.nanoTime() - started) / 1_000_000);
    return UpdateControl.noUpdate();
  }

  /** Bounds the in-memory state: what belongs to deleted workloads and policies goes. */
  private void forgetWhatIsGone(List<HasMetadata> workloads, List<NonRootPolicy> policies) {
    Set<ObjectRef> refs = new HashSet<>();
    for (HasMetadata w : workloads) {
      refs.add(new ObjectRef(w.getKind(), w.getMetadata().getNamespace(), w.getMetadata().getName()));
    }
    ledger.retainOnly(refs, Duration.ofMinutes(1));
    events.retainOnly(refs);
    catalog.retainOnly(policies);
    calculator.retainPolicies(policies);
  }

}
