package dev.nonroot.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.NonRootPolicyStatus;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.policy.EffectivePolicy;
import dev.nonroot.engine.policy.ResolvedPolicy;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.status.Departure;
import dev.nonroot.engine.status.StatusFold;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each policy's status true to the cluster by folding the verdict index (see {@link
 * StatusFold}): no workload is evaluated here. Woken only for the policies whose view changed; at
 * most one status write per second per policy (the rate limit coalesces bursts), none when nothing
 * changed.
 */
// Every event, a deletion's included: a policy with spec.onDelete: Revert keeps its own finalizer
// (only such a policy has one, so uninstalling the operator never leaves the others stuck).
@ControllerConfiguration(
    name = "policies",
    fieldManager = OperatorConstants.FIELD_MANAGER,
    triggerReconcilerOnAllEvents = true)
@RateLimited(maxReconciliations = 1, within = 1, unit = TimeUnit.SECONDS)
public class PolicyStatusController implements Reconciler<NonRootPolicy> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStatusController.class);
  private static final String VERDICTS = "verdicts";
  private static final String SERVICES = "services";

  /** How soon to look again while the index is still catching up (start, spec change). */
  private static final Duration CATCHING_UP = Duration.ofMillis(250);

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The status, as JOSDK's editStatus sent it: without a fieldManager parameter, which fabric8's
   * CRUD mock (the operator tests' server) reads as a write to the main resource and so drops the
   * status. kube-apiserver then names the manager after the client's user agent.
   */
  private static final PatchContext STATUS_PATCH = PatchContext.of(PatchType.JSON);

  /** The finalizer's patch: a JSON Patch under the operator's field manager. */
  private static final PatchContext JSON_PATCH =
      new PatchContext.Builder()
          .withPatchType(PatchType.JSON)
          .withFieldManager(OperatorConstants.FIELD_MANAGER)
          .build();

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
                .withItemStore(new TransformingItemStore<>(CacheTrim::service))
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
    if (context.isPrimaryResourceDeleted()) {
      forget(policy.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    List<NonRootPolicy> all = context.getPrimaryCache().list().toList();
    shared.catalog().retainOnly(all);
    PolicySet set = shared.catalog().snapshot(all);
    if (!shared.index().current(set.fingerprint())) {
      return UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(CATCHING_UP);
    }
    Optional<ResolvedPolicy> self = set.named(policy.getMetadata().getName());
    if (self.isEmpty()) {
      forget(policy.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    var services =
        (InformerEventSource<Service, NonRootPolicy>)
            context.eventSourceRetriever().getEventSourceFor(Service.class, SERVICES);
    long started = System.nanoTime();
    NonRootPolicyStatus folded =
        shared
            .index()
            .fold(
                self.get(),
                shared.index().serviceChanges(services.list(WorkloadWriter::recorded).toList()),
                policy.getStatus(),
                shared.now());
    NonRootPolicyStatus next = folded;
    shared.metrics().observeStatusPass(System.nanoTime() - started);
    EffectivePolicy acting = self.get().acting();
    boolean reverts = acting != null && acting.onDelete() == OnDeleteMode.Revert;
    Departure departure = null;
    if (policy.isMarkedForDeletion()) {
      departure =
          Departure.of(
              acting,
              next.getRestoring(),
              StatusFold.keptBy(policy.getMetadata().getName(), shared.index().verdicts()),
              Instant.parse(policy.getMetadata().getDeletionTimestamp()),
              shared.clock().instant());
      if (departure.release()) return release(policy, departure, context);
      next = departure.onto(next, self.get().generation(), shared.now());
    } else if (reverts != policy.hasFinalizer(Departure.FINALIZER)) {
      // Added before the policy changes anything (its remediations wait for it), removed when
      // spec.onDelete goes back to Keep.
      finalizer(policy, reverts, context);
      return UpdateControl.noUpdate();
    }
    // The gauges show the fold, written or not yet (the pacer may hold the write back a second).
    shared.metrics().policyStatus(policy.getMetadata().getName(), next);
    LOG.debug(
        "status of {} folded in {} ms",
        policy.getMetadata().getName(),
        (System.nanoTime() - started) / 1_000_000);
    Duration recheck = departure == null ? null : departure.recheckIn();
    if (next.equals(policy.getStatus())) {
      return recheck == null
          ? UpdateControl.noUpdate()
          : UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(recheck);
    }
    String name = policy.getMetadata().getName();
    Duration wait = shared.statusPacer().waitBefore(name);
    // Folded again when the time comes, so the write then carries everything that happened since.
    if (!wait.isZero()) return UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(wait);
    shared.metrics().increment(OperatorMetrics.STATUS_WRITES);
    // One JSON Patch that sets the whole status, computed here. JOSDK's patchStatusAndCacheResource
    // diffed the old and new status (a longest-common-subsequence over every list: 5 % of the
    // operator's CPU in a 2,000-workload run) and then waited for the write to come back through
    // the watch, which never happens while the watch is down: it timed out, retried and gave up.
    String body =
        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + context.getClient().getKubernetesSerialization().asJson(next)
            + "}]";
    send(
        policy,
        context,
        () ->
            context
                .getClient()
                .resource(PatchAddress.of(policy))
                .subresource("status")
                .patch(STATUS_PATCH, body));
    // Counted from when the write is done, so the next one leaves a full second after this one.
    shared.statusPacer().wrote(name);
    return recheck == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<NonRootPolicy>noUpdate().rescheduleAfter(recheck);
  }

  /** A policy deleted, or no longer in the set: what is kept for it goes. */
  private void forget(String policy) {
    shared.statusPacer().forget(policy);
    shared.metrics().forgetPolicy(policy);
    shared.index().forget(policy);
  }

  /**
   * The deletion may complete: the finalizer goes, and an Event on the policy says how it ended.
   */
  private UpdateControl<NonRootPolicy> release(
      NonRootPolicy policy, Departure departure, Context<NonRootPolicy> context) {
    if (!policy.hasFinalizer(Departure.FINALIZER)) return UpdateControl.noUpdate();
    finalizer(policy, false, context);
    if (departure.reason().equals("RestoreTimedOut")) {
      shared.events().warning(policy, departure.reason(), departure.message());
    } else if (departure.reason().equals("Restored")) {
      shared.events().normal(policy, departure.reason(), departure.message());
    }
    LOG.info("policy {} deleted: {}", policy.getMetadata().getName(), departure.message());
    return UpdateControl.noUpdate();
  }

  /**
   * Adds or removes this operator's finalizer, one JSON Patch guarded by the item it removes (a
   * finalizer of someone else's may be in the list too).
   */
  private void finalizer(NonRootPolicy policy, boolean add, Context<NonRootPolicy> context) {
    List<String> finalizers = policy.getMetadata().getFinalizers();
    ArrayNode patch = JSON.createArrayNode();
    if (add) {
      patch
          .addObject()
          .put("op", "test")
          .put("path", "/metadata/resourceVersion")
          .put("value", policy.getMetadata().getResourceVersion());
      if (finalizers == null || finalizers.isEmpty()) {
        patch
            .addObject()
            .put("op", "add")
            .put("path", "/metadata/finalizers")
            .putArray("value")
            .add(Departure.FINALIZER);
      } else {
        patch
            .addObject()
            .put("op", "add")
            .put("path", "/metadata/finalizers/-")
            .put("value", Departure.FINALIZER);
      }
    } else {
      int at = finalizers.indexOf(Departure.FINALIZER);
      String item = "/metadata/finalizers/" + at;
      patch.addObject().put("op", "test").put("path", item).put("value", Departure.FINALIZER);
      patch.addObject().put("op", "remove").put("path", item);
    }
    // resource(policy).patch sends the patch alone; withName(...).patch would GET first, and the
    // operator may not get (its reads come from the watch caches).
    send(
        policy,
        context,
        () ->
            context
                .getClient()
                .resource(PatchAddress.of(policy))
                .patch(JSON_PATCH, patch.toString()));
  }

  /**
   * Sends one write of the policy and puts its answer in the cache, so the next pass does not plan
   * on the version before it; a refusal is counted by its code and thrown for JOSDK's retry.
   */
  private void send(
      NonRootPolicy policy, Context<NonRootPolicy> context, Supplier<NonRootPolicy> write) {
    try {
      NonRootPolicy updated = write.get();
      if (updated != null) {
        context
            .eventSourceRetriever()
            .getControllerEventSource()
            .handleRecentResourceUpdate(ResourceID.fromResource(policy), updated, policy);
      }
    } catch (KubernetesClientException e) {
      shared.metrics().apiError(e.getCode());
      throw e;
    }
  }
}
