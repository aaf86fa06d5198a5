package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated controller manager and kubelet for the embedded API server (a test double, no part of
 * the product): what a cluster reports while Deployments, StatefulSets and DaemonSets roll out, so
 * the operator can follow rollouts in {@code demo} and in tests.
 *
 * <p>When a workload is created or its spec changes (metadata.generation ahead of
 * status.observedGeneration), after the delay it makes the pods of that generation as the real
 * controllers name and label them (a Deployment through a ReplicaSet), with the status the kubelet
 * reports (Running and Ready, each container's {@code user.linux.uid}), and then writes the
 * workload's status through the status subresource. A workload annotated {@value #FAIL_ANNOTATION}
 * fails every rollout of a template that carries the {@code nonroot.dev/remediation} pod label. A
 * status someone else wrote for the generation before the delay ended wins: nothing is written.
 * Deleting a workload deletes its pods.
 *
 * <p>One informer per kind and one worker thread, whatever the number of workloads; nothing thrown
 * leaves an informer callback (a failed rollout is tried again, then logged).
 */
public final class RolloutSimulator implements AutoCloseable {
  /**
   * On a workload: {@code "<reason>: <message>"}, e.g. {@code "CrashLoopBackOff: nginx: [emerg]
   * mkdir() ... (13: Permission denied)"}. Every rollout of a template the operator changed (it
   * carries the remediation label) fails: the new pods wait in that reason with that message. A
   * value without a reason is all message, with reason CrashLoopBackOff.
   */
  public static final String FAIL_ANNOTATION = "demo.nonroot.dev/fail";

  /**
   * On a workload: the UID its image's USER runs as (default 0, root), reported as {@code
   * user.linux.uid} by containers that set no runAsUser of their own or of their pod.
   */
  public static final String IMAGE_UID_ANNOTATION = "demo.nonroot.dev/image-uid";

  private static final Logger LOG = LoggerFactory.getLogger(RolloutSimulator.class);
  private static final int ATTEMPTS = 3;
  private static final Duration MIN_RETRY = Duration.ofMillis(200);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

  private final Duration delay;
  private final List<SimulatedController<?>> controllers;
  private final ScheduledExecutorService worker;

  /** Workload uid → the generation whose rollout is scheduled. */
  private final Map<String, Long> pending = new ConcurrentHashMap<>();

  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param client a client of the embedded API server; not closed by {@link #close()}
   * @param clock the time written into statuses (conditions, startedAt)
   * @param delay how long a rollout takes, from the new generation to its pods and status; zero
   *     rolls out at once
   */
  public RolloutSimulator(KubernetesClient client, Clock clock, Duration delay) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(clock, "clock");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the rollout delay cannot be negative: " + delay);
    }
    this.delay = delay;
    SimulatedPods pods = new SimulatedPods(client, clock, new SplittableRandom());
    this.controllers =
        List.of(
            new SimulatedDeploymentController(client, pods),
            new SimulatedStatefulSetController(client, pods),
            new SimulatedDaemonSetController(client, pods));
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rollout-simulator");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Watches the three kinds and returns once their informers have listed what exists (workloads
   * already waiting for a rollout get one too).
   *
   * @throws IllegalStateException when the server cannot be watched
   */
  public RolloutSimulator start() {
    if (closed.get()) {
      throw new IllegalStateException("the rollout simulator is closed");
    }
    if (!started.compareAndSet(false, true)) {
      return this;
    }
    List<CompletableFuture<Void>> synced = new ArrayList<>();
    synchronized (informers) {
      for (SimulatedController<?> controller : controllers) {
        SharedIndexInformer<?> informer = watch(controller);
        informers.add(informer);
        synced.add(informer.start().toCompletableFuture());
      }
    }
    try {
      CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
          .get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IllegalStateException(
          "the rollout simulator cannot watch the API server: "
              + (e.getCause() == null ? e : e.getCause()).getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the rollout simulator", e);
    }
    return this;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (informers) {
      for (SharedIndexInformer<?> informer : informers) {
        try {
          informer.close();
        } catch (RuntimeException e) {
          LOG.debug("closing an informer of the rollout simulator", e);
        }
      }
    }
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T extends HasMetadata> SharedIndexInformer<T> watch(SimulatedController<T> controller) {
    SharedIndexInformer<T> informer = controller.resources().inAnyNamespace().runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T workload) {
            guarded(() -> consider(controller, workload));
          }

          @Override
          public void onUpdate(T before, T workload) {
            guarded(() -> consider(controller, workload));
          }

          @Override
          public void onDelete(T workload, boolean finalStateUnknown) {
            guarded(
                () -> {
                  pending.remove(workload.getMetadata().getUid());
                  worker.execute(() -> guarded(() -> controller.forget(workload)));
                });
          }
        });
    return informer;
  }

  /** Schedules the rollout of a generation no status speaks for, once per generation. */
  private <T extends HasMetadata> void consider(SimulatedController<T> controller, T workload) {
    if (!controller.awaitsRollout(workload)) {
      return;
    }
    String uid = workload.getMetadata().getUid();
    long generation = workload.getMetadata().getGeneration();
    Long scheduled = pending.get(uid);
    if (scheduled != null && scheduled >= generation) {
      return;
    }
    pending.put(uid, generation);
    schedule(controller, workload, generation, 1, delay);
  }

  private <T extends HasMetadata> void schedule(
      SimulatedController<T> controller, T workload, long generation, int attempt, Duration after) {
    try {
      worker.schedule(
          () -> guarded(() -> rollOut(controller, workload, generation, attempt)),
          after.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private <T extends HasMetadata> void rollOut(
      SimulatedController<T> controller, T workload, long generation, int attempt) {
    String uid = workload.getMetadata().getUid();
    if (!pending.remove(uid, generation)) {
      return; // a newer generation is scheduled, or the workload was deleted
    }
    try {
      T current = controller.current(workload);
      if (current == null
          || !Objects.equals(current.getMetadata().getGeneration(), generation)
          || !controller.awaitsRollout(current)) {
        return; // gone, changed again (its own rollout follows), or someone else's status wins
      }
      controller.rollOut(current);
    } catch (RuntimeException e) {
      if (closed.get()) {
        return;
      }
      if (attempt >= ATTEMPTS) {
        LOG.warn(
            "rollout simulator: gave up the rollout of {} generation {} after {} attempts: {}",
            describe(workload),
            generation,
            attempt,
            e.getMessage());
        LOG.debug("the last attempt", e);
        return;
      }
      // Tried again unless a newer generation is scheduled meanwhile: its rollout replaces this.
      if (pending.putIfAbsent(uid, generation) == null) {
        LOG.debug("rollout of {} failed, trying again", describe(workload), e);
        schedule(
            controller,
            workload,
            generation,
            attempt + 1,
            delay.compareTo(MIN_RETRY) > 0 ? delay : MIN_RETRY);
      }
    }
  }

  /** Informer callbacks and scheduled work never throw: a failure is logged and dropped. */
  private void guarded(Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      if (!closed.get()) {
        LOG.warn("rollout simulator: {}", e.getMessage());
        LOG.debug("rollout simulator", e);
      }
    }
  }

  private static String describe(HasMetadata workload) {
    return workload.getKind()
        + " "
        + workload.getMetadata().getNamespace()
        + "/"
        + workload.getMetadata().getName();
  }
}
