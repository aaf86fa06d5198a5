package dev.nonroot.kubesim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Names the way the Deployment, StatefulSet and DaemonSet controllers make them: a pod template's
 * hash (FNV-32a, spelt with apimachinery's SafeEncodeString alphabet, so {@code pod-template-hash}
 * and {@code controller-revision-hash} look like a cluster's) and the five-character random suffix
 * of generated names.
 */
final class ControllerNames {
  /** apimachinery's rand.SafeEncodeString alphabet: no vowels, no look-alike characters. */
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private ControllerNames() {}

  /**
   * The same template always gives the same hash, whatever order its maps were written in, so a
   * template put back as it was (a revert) finds its old ReplicaSet again.
   */
  static String of(PodTemplateSpec template, KubernetesSerialization serialization) {
    String canonical;
    try {
      canonical =
          CANONICAL.writeValueAsString(
              serialization.convertValue(template == null ? Map.of() : template, Map.class));
    } catch (JsonProcessingException e) {
      canonical = String.valueOf(template);
    }
    int hash = 0x811c9dc5;
    for (byte b : canonical.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return safeEncode(Integer.toUnsignedString(hash));
  }

  /** Five characters for {@code <deploy>-<hash>-<rand5>} and {@code <ds>-<rand5>}. */
  static String randomSuffix(RandomGenerator random) {
    StringBuilder out = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      out.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return out.toString();
  }

  private static String safeEncode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      out.append(ALPHANUMS.charAt(s.charAt(i) % ALPHANUMS.length()));
    }
    return out.toString();
  }
}
