package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on workloads, only on transitions: an event identical to the last one sent for
 * the same object is not sent again.
 */
final class EventRecorder {
  static final String REMEDIATED = "Remediated";
  static final String FAILED = "RemediationFailed";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String instance;
  private final Map<String, String> lastSent = new ConcurrentHashMap<>();

  EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  /** The object is compliant (or gone): the next event about it is a transition again. */
  void forget(HasMetadata about) {
    lastSent.remove(key(about));
  }

  /** Forgets objects that no longer exist. */
  void retainOnly(java.util.Set<dev.nonroot.engine.model.ObjectRef> existing) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (dev.nonroot.engine.model.ObjectRef r : existing) keys.add(r.kind() + "/" + r.namespace() + "/" + r.name());
    lastSent.keySet().retainAll(keys);
  }

  private static String key(HasMetadata about) {
    return about.getKind() + "/" + about.getMetadata().getNamespace() + "/" + about.getMetadata().getName();
  }

  void normal(HasMetadata about, String reason, String message) {
    emit(about, "Normal", reason, message);
  }

  void warning(HasMetadata about, String reason, String message) {
    emit(about, "Warning", reason, message);
  }

  private void emit(HasMetadata about, String type, String reason, String message) {
    String key = key(about);
    String fingerprint = reason + "\n" + message;
    if (fingerprint.equals(lastSent.put(key, fingerprint))) return;
    String now = Instant.now().toString();
    Event event = new EventBuilder()
        .withNewMetadata()
          .withName(about.getMetadata().getName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
          .withNamespace(about.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(about.getApiVersion())
            .withKind(about.getKind())
            .withNamespace(about.getMetadata().getNamespace())
            .withName(about.getMetadata().getName())
            .withUid(about.getMetadata().getUid())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withNewSource().withComponent("nonroot-operator").endSource()
        .withReportingComponent("nonroot.dev/operator")
        .withReportingInstance(instance)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
    } catch (RuntimeException e) {
      // Events are best effort: losing one must never fail a remediation.
      LOG.warn("could not record event {} on {}: {}", reason, key, e.getMessage());
    }
  }
}
