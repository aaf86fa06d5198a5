package dev.nonroot.operator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.api.NonRootPolicy;
import dev.nonroot.api.OnDeleteMode;
import dev.nonroot.api.WorkloadKind;
import dev.nonroot.engine.Decision;
import dev.nonroot.engine.Governor;
import dev.nonroot.engine.PolicySet;
import dev.nonroot.engine.ServiceRestore;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.policy.LabelSelectorMatcher;
import dev.nonroot.engine.policy.PolicyResolver;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.ForcedRollback;
import dev.nonroot.engine.rollout.ImageHints;
import dev.nonroot.engine.rollout.Reversion;
import dev.nonroot.engine.rollout.RolloutAssessment;
import dev.nonroot.engine.rollout.RolloutAssessment.Progress;
import dev.nonroot.engine.rollout.RolloutPatch;
import dev.nonroot.engine.rollout.RolloutState;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.engine.rules.Evaluation;
import dev.nonroot.engine.status.Departure;
import dev.nonroot.engine.status.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe → decide → write → record, for one kind of the {@link WorkloadKind} table. Each workload
 * change is decided once by the engine's {@link Governor}; the verdict goes to the {@link
 * VerdictIndex}, from which the policy statuses are folded. Reads come from informer caches; under
 * Enforce a workload that needs fixing gets exactly one JSON Patch (plus one per Service whose
 * targetPort moves); Audit never writes.
 */
final class WorkloadController<R extends HasMetadata> implements Reconciler<R> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadController.class);
  private static final String SECONDARIES = "secondaries";

  /** How soon a workload is looked at again while the shared informers are starting. */
  private static final Duration INFORMERS_STARTING = Duration.ofMillis(200);

  /** How soon a workload whose patch met a newer version is decided again. */
  private static final Duration AFTER_CONFLICT = Duration.ofSeconds(1);

  private final WorkloadKind kind;
  private final Collaborators shared;

  /** Remediations decided from their patch's response, whose watch events are then dropped. */
  private final OwnWrites ownWrites = new OwnWrites();

  WorkloadController(WorkloadKind kind, Collaborators shared) {
    this.kind = kind;
    this.shared = shared;
  }

  /**
   * Whether an update can change a decision: the pod template, labels (selectors) or annotations
   * (exemption, record). Status churn and replica changes (HPA, kubectl scale) cannot.
   */
  boolean relevantUpdate(HasMetadata next, HasMetadata old) {
    boolean relevant =
        followed(next)
            || !Objects.equals(kind.podTemplateOf(next), kind.podTemplateOf(old))
            || !Objects.equals(next.getMetadata().getLabels(), old.getMetadata().getLabels())
            || !Objects.equals(
                next.getMetadata().getAnnotations(), old.getMetadata().getAnnotations());
    // Of the events that pass, the one of a version already decided from its patch's response
    // does not.
    return relevant && !ownWrites.heard(refOf(next), next.getMetadata().getResourceVersion());
  }

  /**
   * Whether a rollout this operator started is under way on the workload: then its status changes
   * (the controller's progress) matter too. A cheap look at the annotation, not a parse.
   */
  private static boolean followed(HasMetadata workload) {
    Map<String, String> annotations = workload.getMetadata().getAnnotations();
    String state = annotations == null ? null : annotations.get(Annotations.ROLLOUT);
    return RolloutState.mayBeRollingOut(state);
  }

  @Override
  public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
    var primaries = context.getPrimaryCache();
    // Another kind's workloads can share a Service with this kind's: every decision sees them all.
    shared.workloads().add(kind, primaries);
    shared.rollouts().add(primaries::list);
    shared
        .index()
        .cover(
            new VerdictIndex.Source() {
              @Override
              public Stream<? extends HasMetadata> cached() {
                return primaries.list();
              }

              @Override
              public ObjectRef ref(HasMetadata cached) {
                return refOf(cached);
              }
            });
    // The policy, Service, Namespace and NetworkPolicy informers are the operator's, shared by
    // every kind: this controller hears their events and wakes the workloads of its own concerned.
    SimpleInboundEventSource<R> wake = new SimpleInboundEventSource<>(SECONDARIES);
    shared
        .informers()
        .listen(
            new SharedInformers.Listener() {
              @Override
              public void policy(NonRootPolicy now, NonRootPolicy before) {
                // Any policy spec change can change every decision of this kind. Status writes
                // change nothing a decision depends on; a deletion does (the policy governs
                // nothing any more, and may take its changes back).
                if (before == null
                    || !Objects.equals(
                        now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                    || now.isMarkedForDeletion() != before.isMarkedForDeletion()) {
                  wake(wake, ids(primaries.list()));
                }
              }

              @Override
              public void service(Service now, Service before) {
                // A Service matters to the workloads whose pods it selects, before and after.
                Set<ResourceID> ids = selectedBy(primaries, now);
                if (before != null) ids.addAll(selectedBy(primaries, before));
                wake(wake, ids);
              }

              @Override
              public void namespace(Namespace now) {
                wake(wake, inNamespace(primaries, now.getMetadata().getName()));
              }

              @Override
              public void networkPolicy(NetworkPolicy now) {
                // A NetworkPolicy that still admits only a moved port's old number is reported on
                // the workload, and the report goes away when the policy is fixed.
                wake(wake, inNamespace(primaries, now.getMetadata().getNamespace()));
              }
            });
    // A workload waiting in the rollout budget's line is decided again when a slot frees, not on
    // a timer: the budget says which of this kind's workloads may start now.
    shared
        .rollouts()
        .wakeWith(
            kind.name(),
            ref ->
                wake.propagateEvent(
                    new ResourceID(
                        ref.name(), ref.namespace().isEmpty() ? null : ref.namespace())));
    List<EventSource<?, R>> sources = new ArrayList<>(shared.informers().hostedBy(context));
    sources.add(wake);
    return sources;
  }

  private static <R extends HasMetadata> void wake(
      SimpleInboundEventSource<R> wake, Set<ResourceID> ids) {
    for (ResourceID id : ids) wake.propagateEvent(id);
  }

  /**
   * The workloads of this kind whose pods a Service selects, from the pod label index (a Service
   * selects nothing with an empty selector).
   */
  private Set<ResourceID> selectedBy(IndexedResourceCache<R> primaries, Service s) {
    Map<String, String> selector =
        WorkloadCaches.strings(s.getSpec() == null ? null : s.getSpec().getSelector());
    return ids(
        WorkloadCaches.selected(kind, primaries, s.getMetadata().getNamespace(), selector)
            .stream());
  }

  private static <T extends HasMetadata> Set<ResourceID> inNamespace(
      IndexedResourceCache<T> primaries, String namespace) {
    return ids(primaries.byIndex(Cache.NAMESPACE_INDEX, namespace).stream());
  }

  private static <T extends HasMetadata> Set<ResourceID> ids(Stream<T> items) {
    return items.map(ResourceID::fromResource).collect(Collectors.toCollection(HashSet::new));
  }

  private ObjectRef refOf(HasMetadata resource) {
    return new ObjectRef(
        kind.name(), resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  @Override
  public UpdateControl<R> reconcile(R resource, Context<R> context) {
    return decide(resource, context, false);
  }

  /**
   * One decision about one version of a workload, and what it calls for. {@code ownPatch}: the
   * version is the response to this reconcile's own remediation, which is not written to again
   * here.
   */
  @SuppressWarnings("unchecked")
  private UpdateControl<R> decide(R resource, Context<R> context, boolean ownPatch) {
    ObjectRef ref = refOf(resource);
    VerdictIndex index = shared.index();
    if (context.isPrimaryResourceDeleted()) {
      ownWrites.forget(ref);
      index.remove(ref);
      shared.rollouts().release(ref);
      return UpdateControl.noUpdate();
    }
    SharedInformers informers = shared.informers();
    if (!informers.running()) {
      // Another controller hosts the shared informers and has not synced them yet (controllers
      // start in parallel): an empty Service cache would plan a port move without its Service.
      return UpdateControl.<R>noUpdate().rescheduleAfter(INFORMERS_STARTING);
    }
    shared.metrics().increment(OperatorMetrics.RECONCILES);
    var retriever = context.eventSourceRetriever();
    var policySource = informers.policies();
    var serviceSource = informers.services();
    var namespaceSource = informers.namespaces();
    var networkPolicySource = informers.networkPolicies();
    // While it waits in line for the rollout budget, its pods are not listed on every look.
    boolean inLine = shared.rollouts().waits(ref);
    CacheInventory inventory =
        new CacheInventory(
            serviceSource,
            namespaceSource,
            networkPolicySource,
            shared.workloads(),
            shared.pods(),
            !inLine,
            WorkloadCaches.podLabels(kind, resource));
    PolicySet policies = shared.catalog().snapshot(policySource.list(p -> true).toList());
    String now = shared.now();
    if (resource.isMarkedForDeletion()) {
      // Going away (a finalizer or a foreground deletion holds it): no policy acts on it, and a
      // patch would only start a rollout of something being removed.
      index.put(
          ref,
          new VerdictIndex.State(
              Verdict.unmatched(ref, WorkloadWriter.recordOf(resource)),
              policies.fingerprint(),
              false));
      return UpdateControl.noUpdate();
    }

    ObjectNode tree = ObjectTrees.of(resource);
    ChangeRecord record = RecordedPatch.recordOf(tree);
    VerdictIndex.State before = index.state(ref);
    Verdict previous = before == null ? null : before.verdict();
    Optional<Workload> workload = Workload.of(kind, tree);
    if (workload.isEmpty()) {
      index.put(
          ref,
          new VerdictIndex.State(Verdict.unmatched(ref, record), policies.fingerprint(), false));
      return UpdateControl.noUpdate();
    }
    Decision decision;
    try {
      decision = Governor.decide(policies, workload.get(), inventory);
    } catch (RuntimeException e) {
      // An engine defect on one odd object must not hold every policy status back: the workload
      // counts as unmatched until a retry (or its next change) decides it.
      index.put(
          ref,
          new VerdictIndex.State(Verdict.unmatched(ref, record), policies.fingerprint(), false));
      LOG.error("could not decide {}: {}", ref, e.toString());
      throw e;
    }
    shared.metrics().increment(OperatorMetrics.EVALUATIONS);
    Verdict verdict = Verdict.of(decision, record, previous, now);
    warnOnNewViolation(resource, verdict, previous);
    if (ownPatch
        && (decision.action() == Decision.Action.PATCH
            || decision.action() == Decision.Action.RESTORE)) {
      // Never a second remediation in one reconcile (the no-flapping rule means this is not
      // expected): decided again in a second, as after a conflict. A look at the rollout just
      // started may write its end (a paused Deployment's, at once), as its watch event would.
      ownWrites.forget(ref);
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
      return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
    }
    // A patch or a restore keeps its place in the rollout budget's line: it asks again there.
    if (decision.action() != Decision.Action.PATCH
        && decision.action() != Decision.Action.RESTORE) {
      shared
          .rollouts()
          .observe(ref, decision.action() == Decision.Action.FOLLOW ? decision.rollout() : null);
    }
    if (decision.action() == Decision.Action.FOLLOW) {
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
      return follow(
          resource, tree, workload.get(), decision.rollout(), policies, inventory, context, now);
    }
    if (decision.action() == Decision.Action.HELD
        && decision.rollout().phase() == RolloutState.Phase.RollingOut) {
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
      return rolledBack(resource, workload.get(), decision.rollout(), context, now);
    }
    if (decision.action() == Decision.Action.RESTORE) {
      return restore(
          resource, workload.get(), decision, verdict, policies, inventory, context, now);
    }
    if (decision.action() == Decision.Action.CONFLICT) {
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
      return conflict(resource, workload.get(), decision, context, now);
    }
    if (decision.action() != Decision.Action.PATCH) {
      // Nothing to write (any more): an earlier failure no longer describes this workload.
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
      return UpdateControl.noUpdate();
    }
    String policy = decision.governing().name();
    if (decision.governing().onDelete() == OnDeleteMode.Revert
        && policySource
            .get(new ResourceID(policy))
            .filter(p -> p.hasFinalizer(Departure.FINALIZER))
            .isEmpty()) {
      // No change that its policy's deletion could not take back: the policy controller adds the
      // finalizer at its first look, a moment after the spec says Revert.
      return deferred(ref, verdict, policies, false, AFTER_CONFLICT);
    }
    Evaluation evaluation = decision.evaluation();
    Verdict pending = verdict.withFailure(sameFailure(previous, policy));
    if (!evaluation.serviceChanges().isEmpty() && !shared.workloads().synced()) {
      // A Service is about to move while another kind's cache may still be filling: a workload
      // sharing that Service could be missing from the decision. Decide again once all are in.
      return deferred(ref, pending, policies, false, AFTER_CONFLICT);
    }
    RolloutState start = decision.rolloutStart(now);
    if (start != null && !evaluation.changes().isEmpty()) {
      int max = decision.governing().maxConcurrentRollouts();
      if (max > 0 && !shared.workloads().synced()) {
        // The rollouts already under way are counted from the caches, once they are complete.
        return deferred(ref, pending, policies, false, AFTER_CONFLICT);
      }
      if (!shared.rollouts().tryStart(policy, ref, max)) {
        Verdict waiting =
            pending.waiting(
                "waiting for the rollout budget ("
                    + max
                    + " of policy "
                    + policy
                    + " rolling out, spec.rollout.maxConcurrent)");
        return waitInLine(ref, waiting, policies);
      }
      if (inLine) {
        // Its turn came, on a plan made without the uid its image runs as: decide again with it
        // (the slot is kept: tryStart lets a workload already rolling for the policy through).
        return deferred(ref, pending, policies, false, Duration.ZERO);
      }
    }
    boolean booked = before != null && before.booked();
    if (!evaluation.changes().isEmpty() && !booked) {
      Duration wait = shared.budget().take();
      if (!wait.isZero()) {
        return deferred(ref, pending, policies, true, wait);
      }
    }
    index.put(ref, new VerdictIndex.State(pending, policies.fingerprint(), false));
    R updated = null;
    try {
      // The workload first: a Service must never point at a port no pod listens on because the
      // workload's own patch was refused.
      if (!evaluation.changes().isEmpty()) {
        // The patch starts a rollout, and says so in the same request: the pod label that tells
        // its pods apart and the RollingOut state a restarted operator resumes from.
        ownWrites.sending(ref);
        updated =
            shared
                .writer()
                .send(
                    resource,
                    RolloutPatch.remediation(
                        workload.get(), evaluation.changes(), policy, start, now));
        // As the informer would keep it, so the decision below reads what a later one reads.
        CacheTrim.workload(updated);
        // Our write goes into the cache, so an event racing the watch does not plan again on the
        // old version.
        retriever
            .getControllerEventSource()
            .handleRecentResourceUpdate(ResourceID.fromResource(resource), updated, resource);
        shared.metrics().increment(OperatorMetrics.PATCHES);
        shared
            .events()
            .normal(resource, EventRecorder.REMEDIATED, summary(policy, evaluation.changes()));
        DecisionLog.changed(ref, policy, DecisionLog.REMEDIATED, evaluation.changes().size());
      }
      patchServices(evaluation.serviceChanges(), inventory, policy, now);
      // Written: an earlier failure no longer describes this workload.
      index.put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
    } catch (KubernetesClientException e) {
      ownWrites.forget(ref);
      // Not written (or only in part): the next look sees what rolls out and counts it again. A
      // conflict keeps its turn in the rollout budget: it is decided again in a second, and would
      // otherwise go to the back of the line.
      if (e.getCode() != 409) shared.rollouts().release(ref);
      if (e.getCode() == 409 || e.getCode() == 404) {
        shared.metrics().increment(OperatorMetrics.CONFLICTS);
        // The object moved on (or is gone) since the cache saw it. Its next event may be a
        // status-only change that the update filter drops, so look again soon rather than wait
        // for the resync.
        LOG.debug("{} changed while being remediated ({}); deciding again", ref, e.getCode());
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      String message = "patch failed (" + e.getCode() + "): " + firstLine(e.getMessage());
      shared.metrics().increment(OperatorMetrics.FAILURES);
      DecisionLog.failed(ref, policy, e.getCode(), firstLine(e.getMessage()));
      index.put(
          ref,
          new VerdictIndex.State(
              verdict.withFailure(new Verdict.Failure(policy, message)),
              policies.fingerprint(),
              false));
      shared.events().warning(resource, EventRecorder.FAILED, message);
      throw e;
    } catch (RuntimeException e) {
      ownWrites.forget(ref);
      throw e;
    }
    // The version just written is decided now, from the response, not when its watch event comes
    // back behind every other workload's: the status shows the remediation as soon as the API
    // server accepts it, the rollout is followed from here, and that event is dropped. Unless the
    // event came first (then it is on its way to a reconcile of its own), or only Services were
    // written (their watch events wake this workload).
    if (updated == null || !ownWrites.decideNow(ref, updated.getMetadata().getResourceVersion())) {
      return UpdateControl.<R>noUpdate().rescheduleAfter(shared.rolloutPoll());
    }
    return decide(updated, context, true);
  }

  /**
   * One look at a rollout this operator started: wait, record how it ended, or put the remediation
   * back. The engine judges ({@link RolloutAssessment}) and builds every write ({@link
   * RolloutPatch}); this method reads the pods and sends what it is given.
   */
  private UpdateControl<R> follow(
      R resource,
      ObjectNode tree,
      Workload workload,
      RolloutState state,
      PolicySet policies,
      CacheInventory inventory,
      Context<R> context,
      String now) {
    if (state.phase() == RolloutState.Phase.Restoring) {
      return followRestore(resource, tree, workload, state, policies, inventory, context, now);
    }
    String namespace = resource.getMetadata().getNamespace();
    Duration timeout =
        policies
            .named(state.policy())
            .map(p -> p.acting() == null ? null : p.acting().rolloutTimeout())
            .orElse(PolicyResolver.DEFAULT_ROLLOUT_TIMEOUT);
    Instant at = shared.clock().instant();
    Progress progress;
    try {
      progress =
          RolloutAssessment.assess(
              kind.name(),
              tree,
              () -> {
                shared.metrics().increment(OperatorMetrics.ROLLOUT_POD_LISTS);
                return shared.pods().ofRollout(namespace, state.label());
              },
              state,
              at,
              timeout);
    } catch (KubernetesClientException e) {
      // Forbidden stays forbidden; another refusal is tried again until the timeout.
      boolean forbidden = e.getCode() == 401 || e.getCode() == 403;
      if (!forbidden && at.isBefore(Instant.parse(state.started()).plus(timeout))) {
        LOG.warn("could not list the pods of the rollout of {} ({})", refOf(resource), e.getCode());
        return UpdateControl.<R>noUpdate().rescheduleAfter(shared.rolloutPoll());
      }
      progress = Progress.podsUnreadable(e.getCode() + ": " + firstLine(e.getMessage()));
    }
    if (!progress.ended()) return nextLook(state, timeout, at, progress);
    try {
      if (progress.phase() != RolloutState.Phase.Failed) {
        RolloutState ended =
            state.ended(
                progress.phase(),
                progress.reason(),
                progress.message(),
                null,
                progress.uids(),
                now);
        write(resource, RolloutPatch.ended(workload, ended), context);
        // Its slot is free now: the head of the line need not wait for this write's watch event.
        shared.rollouts().release(refOf(resource));
        shared.metrics().increment(OperatorMetrics.ROLLOUTS_ENDED);
        DecisionLog.ended(
            refOf(resource),
            state.policy(),
            progress.phase() == RolloutState.Phase.Verified
                ? DecisionLog.VERIFIED
                : DecisionLog.UNVERIFIED);
        shared
            .events()
            .normal(
                resource,
                progress.phase() == RolloutState.Phase.Verified
                    ? EventRecorder.ROLLED_OUT
                    : EventRecorder.ROLLED_OUT_UNVERIFIED,
                "rollout of policy " + state.policy() + "'s change: " + progress.message());
        return UpdateControl.noUpdate();
      }
      revert(resource, tree, workload, state, progress, inventory, context, now);
      shared.rollouts().release(refOf(resource));
      return UpdateControl.noUpdate();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        shared.metrics().increment(OperatorMetrics.CONFLICTS);
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      shared
          .events()
          .warning(
              resource,
              EventRecorder.REVERT_FAILED,
              "could not record the end of the rollout of policy "
                  + state.policy()
                  + "'s change ("
                  + e.getCode()
                  + "): "
                  + firstLine(e.getMessage()));
      throw e;
    }
  }

  /**
   * When to look again at a rollout still under way. Before the controller acts, its status write
   * wakes the follower through the informer: only the timeout needs a timer, so thousands of
   * waiting rollouts cost no idle CPU.
   */
  private UpdateControl<R> nextLook(
      RolloutState state, Duration timeout, Instant at, Progress progress) {
    Duration left = Duration.between(at, Instant.parse(state.started()).plus(timeout));
    Duration next =
        left.isNegative()
            ? shared.rolloutPoll()
            : progress.worthPolling() ? min(shared.rolloutPoll(), left) : left;
    return UpdateControl.<R>noUpdate().rescheduleAfter(next.plusMillis(100));
  }

  /**
   * A Conflict: nothing more is written to the workload, except, once, the end of a rollout of the
   * operator's that it still carries as under way. That write touches only the operator's own
   * annotation (no new rollout, nothing a GitOps tool compares), and is what keeps the rollout from
   * being followed and reverted later, after a restart too, once the owner puts the fix in Git.
   */
  private UpdateControl<R> conflict(
      R resource, Workload workload, Decision decision, Context<R> context, String now) {
    RolloutState ended = decision.conflictEnded(now);
    if (ended == null) return UpdateControl.noUpdate();
    try {
      write(resource, RolloutPatch.ended(workload, ended), context);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        shared.metrics().increment(OperatorMetrics.CONFLICTS);
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      throw e;
    }
    DecisionLog.ended(refOf(resource), ended.policy(), DecisionLog.SET_BACK);
    return UpdateControl.noUpdate();
  }

  /**
   * A followed rollout someone rolled back by hand (the template is again the one before the
   * patch): recorded as reverted, so it is held like one and no longer counted as rolling out.
   */
  private UpdateControl<R> rolledBack(
      R resource, Workload workload, RolloutState state, Context<R> context, String now) {
    RolloutState ended =
        state.ended(
            RolloutState.Phase.Reverted,
            "RolledBack",
            "the pod template was put back to the one before the patch by someone else"
                + " (kubectl rollout undo?)",
            null,
            Map.of(),
            now);
    try {
      write(resource, RolloutPatch.ended(workload, ended), context);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      throw e;
    }
    shared
        .events()
        .warning(
            resource,
            EventRecorder.REVERTED,
            "the rollout of policy "
                + state.policy()
                + "'s change was rolled back by someone else; it is not applied again to this"
                + " pod template");
    return UpdateControl.noUpdate();
  }

  /**
   * Puts back what the failed rollout's remediation changed: its Services first (the old pods,
   * which a failed rolling update keeps running, listen on the old ports), then the workload in one
   * write that also records the revert, its evidence and the hint.
   */
  private void revert(
      R resource,
      ObjectNode tree,
      Workload workload,
      RolloutState state,
      Progress failure,
      CacheInventory inventory,
      Context<R> context,
      String now) {
    String namespace = resource.getMetadata().getNamespace();
    int services = 0;
    for (ObjectNode svc : inventory.services(namespace)) {
      // Only the Services of its own pods: another workload's, patched in the same second by the
      // same policy, carries entries of the same time, and its pods listen on the moved port.
      if (!LabelSelectorMatcher.serviceSelects(
          Trees.stringMap(svc.path("spec").path("selector")), workload.podLabels())) continue;
      ObjectRef svcRef =
          new ObjectRef("Service", namespace, svc.path("metadata").path("name").asText());
      Reversion back = Reversion.ofService(svcRef, svc, RecordedPatch.recordOf(svc), state);
      if (back.isEmpty()) continue;
      Optional<Service> cached = inventory.served(namespace, svcRef.name());
      if (cached.isEmpty()) continue;
      inventory.wrote(
          cached.get(),
          shared.writer().send(cached.get(), RolloutPatch.revertService(svc, back, now)));
      shared.metrics().increment(OperatorMetrics.SERVICE_PATCHES);
      services++;
    }
    Reversion back = Reversion.of(refOf(resource), tree, RecordedPatch.recordOf(tree), state);
    String hint = ImageHints.forTemplate(workload.podSpec()).orElse(null);
    String kept =
        back.kept().isEmpty()
            ? ""
            : "; left as changed since by someone else: "
                + back.kept().stream()
                    .map(ChangeRecord.Entry::field)
                    .limit(5)
                    .collect(Collectors.joining(", "));
    RolloutState.Phase phase =
        back.isEmpty() && services == 0 ? RolloutState.Phase.Failed : RolloutState.Phase.Reverted;
    String stuck =
        phase == RolloutState.Phase.Reverted
            ? ForcedRollback.advice(tree, failure).map(a -> "; " + a).orElse("")
            : "";
    RolloutState ended =
        state.ended(phase, failure.reason(), failure.message() + kept + stuck, hint, Map.of(), now);
    write(resource, RolloutPatch.revert(workload, back, ended), context);
    shared.metrics().increment(OperatorMetrics.REVERTS);
    DecisionLog.changed(
        refOf(resource),
        state.policy(),
        phase == RolloutState.Phase.Reverted ? DecisionLog.REVERTED : DecisionLog.NOT_REVERTED,
        back.changes().size());
    shared
        .events()
        .warning(
            resource,
            EventRecorder.REVERTED,
            "rollout of policy "
                + state.policy()
                + "'s change failed ("
                + failure.reason()
                + ": "
                + failure.message()
                + "); "
                + (phase == RolloutState.Phase.Reverted
                    ? "put back " + back.changes().size() + " field(s)"
                    : "nothing could be put back")
                + (services > 0 ? " and " + services + " Service(s)" : "")
                + kept
                + stuck
                + (hint == null ? "" : "; hint: " + hint));
  }

  /**
   * Puts back what a policy with spec.onDelete: Revert changed (it is being deleted, or the
   * workload left its match), in one write that also starts following that rollout; then the
   * policy's changes to the Services of the workload's pods. A rollout waits for the policy's
   * rollout budget like a remediation.
   */
  private UpdateControl<R> restore(
      R resource,
      Workload workload,
      Decision decision,
      Verdict verdict,
      PolicySet policies,
      CacheInventory inventory,
      Context<R> context,
      String now) {
    ObjectRef ref = refOf(resource);
    String policy = decision.restoring().name();
    // The Services first: a port move whose Service stays for another workload stays too.
    List<ServiceRestore> services = ServiceRestore.of(workload, policy, inventory);
    Undo undo = decision.restore(now, services);
    boolean rollsOut = undo.restoredFields() > 0 && RolloutAssessment.follows(kind.name());
    if (rollsOut) {
      int max = decision.restoring().maxConcurrentRollouts();
      if (max > 0 && !shared.workloads().synced()) {
        return deferred(ref, verdict, policies, false, AFTER_CONFLICT);
      }
      if (!shared.rollouts().tryStart(policy, ref, max)) return waitInLine(ref, verdict, policies);
    } else {
      // Nothing rolls out: no slot, and no place in a line.
      shared.rollouts().observe(ref, null);
    }
    VerdictIndex.State before = shared.index().state(ref);
    if (undo.restoredFields() > 0 && (before == null || !before.booked())) {
      Duration wait = shared.budget().take();
      if (!wait.isZero()) return deferred(ref, verdict, policies, true, wait);
    }
    shared.index().put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
    try {
      write(resource, undo.patch(RecordedPatch.Guard.RESOURCE_VERSION), context);
      ServicesRestored restored = restoreServices(resource, services, inventory);
      shared.metrics().increment(OperatorMetrics.RESTORES);
      DecisionLog.changed(ref, policy, DecisionLog.RESTORED, undo.restoredFields());
      shared
          .events()
          .normal(
              resource,
              EventRecorder.RESTORED,
              "put back "
                  + undo.restored().size()
                  + " field(s) policy "
                  + policy
                  + " changed ("
                  + (policies.departing(policy) ? "it is being deleted" : "no longer matched")
                  + ", spec.onDelete: Revert"
                  + (decision.matched() && !decision.governingWrites()
                      ? "; policy "
                          + decision.governing().name()
                          + ", which governs it now, does not patch it"
                      : "")
                  + ")"
                  + (restored.written() > 0 ? " and " + restored.written() + " Service(s)" : "")
                  + (restored.kept().isEmpty() ? "" : "; " + String.join("; ", restored.kept())));
      if (!undo.kept().isEmpty()) {
        List<ChangeRecord.Entry> served = undo.servedEntries();
        shared
            .events()
            .warning(
                resource,
                EventRecorder.RESTORE_KEPT,
                (served.isEmpty()
                        ? "left as changed since by someone else: "
                        : "left as they are: ")
                    + undo.kept().stream()
                        .limit(5)
                        .map(e -> e.field() + " " + undo.why(e))
                        .collect(Collectors.joining("; ")));
      }
      return UpdateControl.noUpdate();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) shared.rollouts().release(ref);
      if (e.getCode() == 409 || e.getCode() == 404) {
        shared.metrics().increment(OperatorMetrics.CONFLICTS);
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      shared.metrics().increment(OperatorMetrics.FAILURES);
      DecisionLog.failed(ref, policy, e.getCode(), firstLine(e.getMessage()));
      shared
          .events()
          .warning(
              resource,
              EventRecorder.FAILED,
              "restore of policy "
                  + policy
                  + "'s changes failed ("
                  + e.getCode()
                  + "): "
                  + firstLine(e.getMessage()));
      throw e;
    }
  }

  /** What a restore did to the Services in front of the workload's pods. */
  private record ServicesRestored(int written, List<String> kept) {}

  /**
   * Puts back what {@code policy} changed on the Services that select the workload's pods, except
   * on one that also sends a moved port to another workload still listening there (the engine's
   * {@link ServiceRestore} decides): that one stays, and why is returned for the Event.
   */
  private ServicesRestored restoreServices(
      R resource, List<ServiceRestore> restores, CacheInventory inventory) {
    int services = 0;
    List<String> kept = new ArrayList<>();
    String namespace = resource.getMetadata().getNamespace();
    for (ServiceRestore r : restores) {
      if (r.undo() == null) {
        kept.add(r.kept());
        continue;
      }
      Optional<Service> cached = inventory.served(namespace, r.service().name());
      if (cached.isEmpty()) continue;
      shared.writer().send(cached.get(), r.undo().patch(RecordedPatch.Guard.RESOURCE_VERSION));
      shared.metrics().increment(OperatorMetrics.SERVICE_PATCHES);
      services++;
    }
    return new ServicesRestored(services, List.copyOf(kept));
  }

  /**
   * One look at the rollout a restore started. It is the user's own template again, so whatever its
   * end, nothing is put back: it is only followed (for the budget, and so a deletion waits for it),
   * by its controller's status; its pods carry no label of ours.
   */
  private UpdateControl<R> followRestore(
      R resource,
      ObjectNode tree,
      Workload workload,
      RolloutState state,
      PolicySet policies,
      CacheInventory inventory,
      Context<R> context,
      String now) {
    Duration timeout =
        policies
            .named(state.policy())
            .map(p -> p.acting() == null ? null : p.acting().rolloutTimeout())
            .orElse(PolicyResolver.DEFAULT_ROLLOUT_TIMEOUT);
    Instant at = shared.clock().instant();
    Progress progress = RolloutAssessment.assess(kind.name(), tree, List::of, state, at, timeout);
    if (!progress.ended()) return nextLook(state, timeout, at, progress);
    try {
      // A Service the restore's write could not put back (another write raced it) goes back
      // before the restore ends: once the state is gone, nothing would take it back, and it would
      // send the traffic to the moved port no pod listens on any more.
      restoreServices(resource, ServiceRestore.of(workload, state.policy(), inventory), inventory);
      write(resource, RolloutPatch.restoreEnded(workload), context);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        shared.metrics().increment(OperatorMetrics.CONFLICTS);
        return UpdateControl.<R>noUpdate().rescheduleAfter(AFTER_CONFLICT);
      }
      throw e;
    }
    shared.rollouts().release(refOf(resource));
    DecisionLog.ended(refOf(resource), state.policy(), DecisionLog.RESTORE_ENDED);
    boolean failed = progress.phase() == RolloutState.Phase.Failed;
    String message =
        "rollout of the restore of policy "
            + state.policy()
            + "'s changes "
            + (failed
                ? "failed ("
                    + progress.reason()
                    + ": "
                    + progress.message()
                    + "); the template is the workload's own again, so nothing more is put back"
                : "ended");
    if (failed) shared.events().warning(resource, EventRecorder.RESTORE_FAILED, message);
    else shared.events().normal(resource, EventRecorder.RESTORE_ROLLED_OUT, message);
    return UpdateControl.noUpdate();
  }

  /** Sends an engine-built patch and puts the result in the cache, as the remediation does. */
  private void write(R resource, ArrayNode patch, Context<R> context) {
    R updated = shared.writer().send(resource, patch);
    // The write's watch event may race the next look: let the cache have it first.
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(resource), updated, resource);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * A Warning Event when a workload starts to violate its policy in a way a person must look at.
   * Not for workloads that existed before this operator started and are seen for the first time:
   * they are listed in the status, and an earlier instance announced them.
   */
  private void warnOnNewViolation(R resource, Verdict verdict, Verdict previous) {
    Verdict.Violation v = verdict.violation();
    if (v == null || !v.worthAnEvent()) return;
    if (previous != null && v.equals(previous.violation())) return;
    if (previous == null && existedBeforeStart(resource)) return;
    boolean conflict = v.state().equals(Verdict.CONFLICT);
    if (conflict)
      DecisionLog.changed(refOf(resource), verdict.governing(), DecisionLog.CONFLICT, 0);
    shared
        .events()
        .warning(
            resource,
            conflict ? EventRecorder.CONFLICT : EventRecorder.VIOLATION,
            "policy " + verdict.governing() + ": " + v.reason());
  }

  private boolean existedBeforeStart(HasMetadata resource) {
    String created = resource.getMetadata().getCreationTimestamp();
    if (created == null) return true;
    try {
      // Creation times are whole seconds, rounded down: the same second counts as before.
      return !Instant.parse(created).isAfter(shared.started());
    } catch (DateTimeParseException e) {
      return true;
    }
  }

  /**
   * Keeps the verdict decided so far while the workload waits in the rollout budget's line. No
   * timer but the resync's: the budget wakes it when a slot frees for it. Every waiting workload
   * decided again every --rollout-poll was 1,000 decisions a second for 10,000 of them.
   */
  private UpdateControl<R> waitInLine(ObjectRef ref, Verdict verdict, PolicySet policies) {
    shared.index().put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), false));
    shared.metrics().increment(OperatorMetrics.DECISIONS_DEFERRED);
    return UpdateControl.noUpdate();
  }

  /** Keeps the verdict decided so far and asks to be decided again after {@code after}. */
  private UpdateControl<R> deferred(
      ObjectRef ref, Verdict verdict, PolicySet policies, boolean booked, Duration after) {
    shared.index().put(ref, new VerdictIndex.State(verdict, policies.fingerprint(), booked));
    shared.metrics().increment(OperatorMetrics.DECISIONS_DEFERRED);
    return UpdateControl.<R>noUpdate().rescheduleAfter(after);
  }

  /** A failure stays shown while the same policy still has the same work to do. */
  private static Verdict.Failure sameFailure(Verdict previous, String policy) {
    if (previous == null || previous.failure() == null) return null;
    return previous.failure().policy().equals(policy) ? previous.failure() : null;
  }

  private void patchServices(
      List<Change> changes, CacheInventory inventory, String policy, String now) {
    Map<ObjectRef, List<Change>> byService = new LinkedHashMap<>();
    for (Change c : changes) byService.computeIfAbsent(c.target(), k -> new ArrayList<>()).add(c);
    for (Map.Entry<ObjectRef, List<Change>> e : byService.entrySet()) {
      Optional<Service> svc = inventory.served(e.getKey().namespace(), e.getKey().name());
      if (svc.isEmpty()) continue;
      inventory.wrote(
          svc.get(),
          shared.writer().patch(svc.get(), ObjectTrees.of(svc.get()), e.getValue(), policy, now));
      shared.metrics().increment(OperatorMetrics.SERVICE_PATCHES);
      shared.events().normal(svc.get(), EventRecorder.REMEDIATED, summary(policy, e.getValue()));
      DecisionLog.changed(e.getKey(), policy, DecisionLog.REMEDIATED, e.getValue().size());
    }
  }

  static String summary(String policy, List<Change> changes) {
    String fields = changes.stream().map(Change::field).limit(5).collect(Collectors.joining(", "));
    int more = changes.size() - 5;
    return "policy "
        + policy
        + " changed "
        + changes.size()
        + " field(s): "
        + fields
        + (more > 0 ? " and " + more + " more" : "");
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
