package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.status.StatusFold;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each policy's status true to the cluster by folding the verdict index (see {@link
 * StatusFold}): no workload is evaluated here. Woken only for the policies whose view changed; at
 * most one status write per second per policy (the rate limit coalesces bursts), none when nothing
 * changed.
 */
@ControllerConfiguration(name = "policies", fieldManager = OperatorConstants.FIELD_MANAGER)
@RateLimited(maxReconciliations = 1, within = 1, unit = TimeUnit.SECONDS)
public class PolicyStatusController implements Reconciler<NonRootPolicy> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStatusController.class);
  private static final String VERDICTS = "verdicts";
  private static final String SERVICES = "services";

  /** How soon to look again while the index is still catching up (start, spec change). */
  private static final Duration CATCHING_UP = Duration.ofMillis(250);

  private final Collaborators shared;

  PolicyStatusController(Collaborators shared) {
    this.shared = shared;
  }

  @Override
  public List<EventSource<?, NonRootPolicy>> prepareEventSources(
      EventSourceContext<NonRootPolicy> context) {
    var policies = context.getPrimaryCache();
    // A deleted policy's gauges go at the next scrape, even when no status pass follows.
    shared
        .metrics()
        .policiesFrom(
            () -> policies.list().map(p -> p.getMetadata().getName()).collect(Collectors.toSet()));
    SimpleInboundEventSource<NonRootPolicy> verdicts = new SimpleInboundEventSource<>(VERDICTS);
    shared
        .index()
        .onChange(names -> names.forEach(n -> verdicts.propagateEvent(new ResourceID(n))));
    // Records on Services count in the status of the policy that wrote them.
    var services =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Service.class, NonRootPolicy.class)
                .withName(SERVICES)
                .withWatchAllNamespaces()
                .withOnAddFilter(WorkloadWriter::recorded)
                .withOnUpdateFilter(
                    (next, old) ->
                        (WorkloadWriter.recorded(next) || WorkloadWriter.recorded(old))
                            && !Objects.equals(
                                next.getMetadata().getAnnotations(),
                                old.getMetadata().getAnnotations()))
                .withOnDeleteFilter((s, unknown) -> WorkloadWriter.recorded(s))
                // The policies its record names; a record just removed names none, so all look.
                .withSecondaryToPrimaryMapper(
                    s -> {
                      Set<ResourceID> named = new HashSet<>();
                      for (ChangeRecord.Entry e : WorkloadWriter.recordOf(s).entries()) {
                        named.add(new ResourceID(e.policy()));
                      }
                      return named.isEmpty()
                          ? policies
                              .list()
                              .map(ResourceID::fromResource)
                              .collect(Collectors.toSet())
                          : named;
                    })
                .build(),
            context);
    return List.of(verdicts, services);
  }

  @Override
  @SuppressWarnings("unchecked")
  public UpdateControl<NonRootPolicy> reconcile(
      NonRootPolicy policy, Context<NonRootPolicy> context) {
    List<NonRootPolicy> all = context.getPrimaryCache().list().toList();
    shared.catalog().retainOnly(all);
    PolicySet set = shared.catalog().snapshot(all);
    if (!shared.index().current(set.fingerprint())) {
      return UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(CATCHING_UP);
    }
    Optional<ResolvedPolicy> self = set.named(policy.getMetadata().getName());
    if (self.isEmpty()) {
      shared.statusPacer().forget(policy.getMetadata().getName());
      shared.metrics().forgetPolicy(policy.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    var services =
        (InformerEventSource<Service, NonRootPolicy>)
            context.eventSourceRetriever().getEventSourceFor(Service.class, SERVICES);
    long started = System.nanoTime();
    NonRootPolicyStatus next =
        StatusFold.fold(
            self.get(),
            shared.index().verdicts(),
            shared.index().serviceChanges(services.list(WorkloadWriter::recorded).toList()),
            policy.getStatus(),
            shared.now());
    shared.metrics().observeStatusPass(System.nanoTime() - started);
    // The gauges show the fold, written or not yet (the pacer may hold the write back a second).
    shared.metrics().policyStatus(policy.getMetadata().getName(), next);
    LOG.debug(
        "status of {} folded in {} ms",
        policy.getMetadata().getName(),
        (System.nanoTime() - started) / 1_000_000);
    if (next.equals(policy.getStatus())) return UpdateControl.noUpdate();
    String name = policy.getMetadata().getName();
    Duration wait = shared.statusPacer().waitBefore(name);
    // Folded again when the time comes, so the write then carries everything that happened since.
    if (!wait.isZero()) return UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(wait);
    shared.metrics().increment(OperatorMetrics.STATUS_WRITES);
    try {
      PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(
          policy,
          context,
          p -> {
            NonRootPolicy copy = new NonRootPolicy();
            copy.setMetadata(p.getMetadata());
            copy.setSpec(p.getSpec());
            copy.setStatus(next);
            return copy;
          });
    } catch (KubernetesClientException e) {
      shared.metrics().apiError(e.getCode());
      throw e;
    }
    // Counted from when the write is done, so the next one leaves a full second after this one.
    shared.statusPacer().wrote(name);
    return UpdateControl.noUpdate();
  }
}
