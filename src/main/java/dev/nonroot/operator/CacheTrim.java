package dev.nonroot.operator;

import dev.nonroot.engine.model.ManagedFields;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the informer caches keep of an object, made smaller as it enters the cache (the watch
 * event's object itself, so handlers compare like with like): at 10,000 workloads the parts no
 * decision reads would be most of the operator's heap.
 *
 * <p>Nothing trimmed is ever written back or used to build a patch: the operator writes JSON
 * Patches of single fields under {@code spec} and of its own annotations, never a whole object,
 * {@code metadata.managedFields} or another annotation. Annotation keys stay (a trimmed value reads
 * as ""), so a patch's path into {@code metadata.annotations} is the same as on the full object.
 */
final class CacheTrim {
  /** kubectl's copy of the whole applied object: read by nothing here. */
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private static final String SPEC = "f:spec";
  private static final String METADATA = "f:metadata";

  private CacheTrim() {}

  /**
   * A workload, in place. Of {@code managedFields}, a set-back needs each other manager's entry
   * with the {@code spec} fields it owns (every field the operator changes is under {@code spec})
   * and its time ({@link ManagedFields#setBy}); GitOps detection needs the managers' names. Left
   * out: the operator's own entry (both skip it), the fields of subresource entries (status, which
   * a set-back never looks at) and every manager's {@code metadata} and {@code status} fields.
   */
  static <R extends HasMetadata> R workload(R o) {
    ObjectMeta meta = o.getMetadata();
    if (meta == null) return o;
    trimLastApplied(meta);
    List<ManagedFieldsEntry> entries = meta.getManagedFields();
    if (entries == null || entries.isEmpty()) return o;
    List<ManagedFieldsEntry> kept = new ArrayList<>(entries.size());
    for (ManagedFieldsEntry e : entries) {
      if (e == null || ManagedFields.OURS.equals(e.getManager())) continue;
      if (e.getSubresource() != null) {
        e.setFieldsV1(null);
      } else if (e.getFieldsV1() != null) {
        e.setFieldsV1(specOnly(e.getFieldsV1()));
      }
      kept.add(e);
    }
    meta.setManagedFields(kept);
    return o;
  }

  /**
   * A Service, in place: no decision reads who wrote its fields, only its selector, ports and
   * annotations.
   */
  static <R extends HasMetadata> R service(R o) {
    ObjectMeta meta = o.getMetadata();
    if (meta == null) return o;
    trimLastApplied(meta);
    meta.setManagedFields(null);
    return o;
  }

  private static FieldsV1 specOnly(FieldsV1 fields) {
    Map<String, Object> all = fields.getAdditionalProperties();
    if (all == null || (all.size() == 1 && all.containsKey(SPEC))) return fields;
    FieldsV1 out = new FieldsV1();
    Object spec = all.get(SPEC);
    if (spec != null) {
      out.setAdditionalProperty(SPEC, spec);
    } else if (!all.isEmpty()) {
      // An empty set means "fields not tracked", which a set-back may blame; this writer owned
      // fields, none of them in the spec (kube-controller-manager's revision annotation).
      out.setAdditionalProperty(METADATA, Map.of());
    }
    return out;
  }

  private static void trimLastApplied(ObjectMeta meta) {
    Map<String, String> annotations = meta.getAnnotations();
    if (annotations == null) return;
    String applied = annotations.get(LAST_APPLIED);
    if (applied == null || applied.isEmpty()) return;
    Map<String, String> copy = new LinkedHashMap<>(annotations);
    copy.put(LAST_APPLIED, "");
    meta.setAnnotations(copy);
  }
}
