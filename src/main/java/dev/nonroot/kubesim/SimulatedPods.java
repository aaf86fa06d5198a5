package dev.nonroot.kubesim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The pods the simulated controllers make, as the controller creates them and the kubelet then
 * reports them: running and Ready, or waiting in the failure's reason, each container with the user
 * it runs as ({@code status.containerStatuses[].user.linux}).
 */
final class SimulatedPods {
  /** The one node the demo cluster has; a DaemonSet gets one pod. */
  static final String NODE = "nonroot-demo-node";

  /** Pods made per workload at most; status counts still report the workload's spec.replicas. */
  static final int MAX_PODS = 10;

  private static final String HOST_IP = "10.0.0.2";

  private final KubernetesClient client;
  private final Clock clock;
  private final RandomGenerator random;
  private final AtomicInteger addresses = new AtomicInteger();

  SimulatedPods(KubernetesClient client, Clock clock, RandomGenerator random) {
    this.client = client;
    this.clock = clock;
    this.random = random;
  }

  /** spec.replicas as a controller reads it: unset is 1, below 0 is 0. */
  static int desired(Integer replicas) {
    return replicas == null ? 1 : Math.max(0, replicas);
  }

  /** How many pod objects to make for that many replicas. */
  static int toMake(int desired) {
    return Math.min(desired, MAX_PODS);
  }

  String randomSuffix() {
    return ControllerNames.randomSuffix(random);
  }

  String hash(PodTemplateSpec template) {
    return ControllerNames.of(template, client.getKubernetesSerialization());
  }

  String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A controller owner reference to {@code owner}, as the controllers set it. */
  static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** The uid of the object's controller owner reference, or null. */
  static String controllerUid(HasMetadata object) {
    for (OwnerReference ref : object.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(ref.getController())) {
        return ref.getUid();
      }
    }
    return null;
  }

  /**
   * The pods in the namespace that the selector's labels select and that one of the owners controls
   * (a selector can overlap another workload's pods; the owner reference cannot).
   */
  List<Pod> owned(String namespace, LabelSelector selector, Set<String> ownerUids) {
    if (ownerUids.isEmpty()) {
      return List.of();
    }
    Map<String, String> labels =
        selector == null || selector.getMatchLabels() == null
            ? Map.of()
            : selector.getMatchLabels();
    List<Pod> pods =
        labels.isEmpty()
            ? client.pods().inNamespace(namespace).list().getItems()
            : client.pods().inNamespace(namespace).withLabels(labels).list().getItems();
    List<Pod> out = new ArrayList<>();
    for (Pod pod : pods) {
      if (ownerUids.contains(controllerUid(pod))) {
        out.add(pod);
      }
    }
    return out;
  }

  /** The kubelet reported the pod Ready. */
  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  void delete(Collection<Pod> pods) {
    for (Pod pod : pods) {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .delete();
    }
  }

  /**
   * Creates the pod as a controller does, then writes its status as the kubelet does (a create
   * ignores status, as on a real API server). A random name drawn twice fails the create with 409;
   * the rollout is then tried again, with new names.
   */
  Pod create(Pod pod, PodStatus status) {
    String namespace = pod.getMetadata().getNamespace();
    Pod created = client.pods().inNamespace(namespace).resource(pod).create();
    created.setStatus(status);
    return client.pods().inNamespace(namespace).resource(created).updateStatus();
  }

  /**
   * A pod of the template: its labels (all of them) and annotations, the controller's extra labels,
   * the owner, and the template's spec on the demo's node.
   */
  Pod pod(
      String name,
      String generateName,
      String namespace,
      PodTemplateSpec template,
      Map<String, String> extraLabels,
      OwnerReference owner) {
    ObjectMeta templateMeta =
        template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    if (templateMeta.getLabels() != null) {
      labels.putAll(templateMeta.getLabels());
    }
    labels.putAll(extraLabels);
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName(name);
    metadata.setGenerateName(generateName);
    metadata.setNamespace(namespace);
    metadata.setLabels(labels);
    if (templateMeta.getAnnotations() != null && !templateMeta.getAnnotations().isEmpty()) {
      metadata.setAnnotations(new LinkedHashMap<>(templateMeta.getAnnotations()));
    }
    metadata.setOwnerReferences(List.of(owner));
    PodSpec spec =
        template.getSpec() == null
            ? new PodSpec()
            : client.getKubernetesSerialization().clone(template.getSpec());
    spec.setNodeName(NODE);
    Pod pod = new Pod();
    pod.setMetadata(metadata);
    pod.setSpec(spec);
    return pod;
  }

  /**
   * What the kubelet reports for the pod: every container running and Ready, or, for a failing
   * rollout, every container waiting in the failure's reason. A container that has run (running, or
   * crash-looping) reports the user it runs as: its effective runAsUser, else the image's user from
   * the workload's {@value RolloutSimulator#IMAGE_UID_ANNOTATION} annotation.
   */
  PodStatus status(HasMetadata workload, Pod pod, Optional<SimulatedFailure> failure) {
    String now = now();
    PodSpec spec = pod.getSpec();
    long imageUid = imageUid(workload);
    List<ContainerStatus> containers = new ArrayList<>();
    List<String> unready = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      containers.add(containerStatus(c, spec.getSecurityContext(), imageUid, pod, failure, now));
      if (failure.isPresent()) {
        unready.add(c.getName());
      }
    }
    List<ContainerStatus> inits = new ArrayList<>();
    for (Container c : spec.getInitContainers()) {
      inits.add(initContainerStatus(c, spec.getSecurityContext(), imageUid, now));
    }
    boolean ready = failure.isEmpty();
    String unreadyMessage = "containers with unready status: [" + String.join(" ", unready) + "]";
    List<PodCondition> conditions =
        List.of(
            condition("PodReadyToStartContainers", true, null, null, now),
            condition("Initialized", true, null, null, now),
            condition("Ready", ready, "ContainersNotReady", unreadyMessage, now),
            condition("ContainersReady", ready, "ContainersNotReady", unreadyMessage, now),
            condition("PodScheduled", true, null, null, now));
    int n = addresses.getAndIncrement();
    String podIp = "10.244." + (n / 250 % 250) + "." + (n % 250 + 2);
    return new PodStatusBuilder()
        .withPhase(ready || failure.get().crashLooping() ? "Running" : "Pending")
        .withConditions(conditions)
        .withHostIP(HOST_IP)
        .addNewHostIP(HOST_IP)
        .withPodIP(podIp)
        .addNewPodIP(podIp)
        .withStartTime(now)
        .withQosClass("BestEffort")
        .withInitContainerStatuses(inits)
        .withContainerStatuses(containers)
        .build();
  }

  private ContainerStatus containerStatus(
      Container c,
      PodSecurityContext podContext,
      long imageUid,
      Pod pod,
      Optional<SimulatedFailure> failure,
      String now) {
    ContainerStatusBuilder status =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID(c.getImage())
            .withContainerID("containerd://" + containerId());
    if (failure.isEmpty()) {
      return withUser(status, c, podContext, imageUid)
          .withReady(true)
          .withStarted(true)
          .withRestartCount(0)
          .withState(new ContainerStateBuilder().withNewRunning(now).build())
          .build();
    }
    SimulatedFailure f = failure.get();
    String message =
        f.message().isEmpty() && f.crashLooping()
            ? "back-off 40s restarting failed container="
                + c.getName()
                + " pod="
                + pod.getMetadata().getName()
                + "_"
                + pod.getMetadata().getNamespace()
            : f.message();
    status
        .withReady(false)
        .withStarted(false)
        .withRestartCount(f.crashLooping() ? 3 : 0)
        .withState(new ContainerStateBuilder().withNewWaiting(message, f.reason()).build());
    if (f.crashLooping()) {
      ContainerState last =
          new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .withMessage(f.message())
              .withStartedAt(now)
              .withFinishedAt(now)
              .endTerminated()
              .build();
      withUser(status, c, podContext, imageUid).withLastState(last);
    }
    return status.build();
  }

  private ContainerStatus initContainerStatus(
      Container c, PodSecurityContext podContext, long imageUid, String now) {
    return withUser(new ContainerStatusBuilder(), c, podContext, imageUid)
        .withName(c.getName())
        .withImage(c.getImage())
        .withImageID(c.getImage())
        .withContainerID("containerd://" + containerId())
        .withReady(true)
        .withStarted(false)
        .withRestartCount(0)
        .withState(
            new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(0)
                .withReason("Completed")
                .withStartedAt(now)
                .withFinishedAt(now)
                .endTerminated()
                .build())
        .build();
  }

  /**
   * user.linux as the runtime reports it: uid and gid as the container runs (runAsUser / runAsGroup
   * of the container, else of the pod, else the image's user), and the supplemental groups (the
   * gid, the pod's supplementalGroups and fsGroup).
   */
  private static ContainerStatusBuilder withUser(
      ContainerStatusBuilder status, Container c, PodSecurityContext pod, long imageUid) {
    SecurityContext own = c.getSecurityContext();
    Long uid = own == null ? null : own.getRunAsUser();
    if (uid == null && pod != null) {
      uid = pod.getRunAsUser();
    }
    Long gid = own == null ? null : own.getRunAsGroup();
    if (gid == null && pod != null) {
      gid = pod.getRunAsGroup();
    }
    if (gid == null) {
      gid = uid == null ? imageUid : 0L; // the image's user brings its own group
    }
    Set<Long> groups = new LinkedHashSet<>();
    groups.add(gid);
    if (pod != null) {
      groups.addAll(pod.getSupplementalGroups());
      if (pod.getFsGroup() != null) {
        groups.add(pod.getFsGroup());
      }
    }
    return status
        .withNewUser()
        .withNewLinux()
        .withUid(uid == null ? imageUid : uid)
        .withGid(gid)
        .withSupplementalGroups(new ArrayList<>(groups))
        .endLinux()
        .endUser();
  }

  /** The image's user from the workload's annotation: a non-negative number, else 0 (root). */
  static long imageUid(HasMetadata workload) {
    Map<String, String> annotations = workload.getMetadata().getAnnotations();
    String value =
        annotations == null ? null : annotations.get(RolloutSimulator.IMAGE_UID_ANNOTATION);
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static PodCondition condition(
      String type, boolean status, String reason, String message, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(status ? null : reason)
        .withMessage(status ? null : message)
        .withLastTransitionTime(now)
        .build();
  }

  private String containerId() {
    StringBuilder id = new StringBuilder(64);
    for (int i = 0; i < 4; i++) {
      id.append(String.format("%016x", random.nextLong()));
    }
    return id.toString();
  }
}
