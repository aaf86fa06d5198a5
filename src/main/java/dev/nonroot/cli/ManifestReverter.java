package dev.nonroot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nonroot.engine.ServiceRestore;
import dev.nonroot.engine.model.Inventory;
import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.model.WorkloadPods;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.record.RecordedPatch;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * revert without the I/O: asks the engine's {@link Undo} about every object that carries a
 * nonroot.dev/changes record (workloads and Services alike, {@code kind: List} items included),
 * applies what it restores to the documents' trees (marking them changed), and notes each field it
 * leaves because someone changed it since. A Service that another workload of the input still needs
 * on its moved port stays, and so do the moves of that port behind it (both are noted).
 */
final class ManifestReverter {
  /** What revert did, for the summary and the notes on standard error. */
  record Result(
      int recorded,
      int objectsChanged,
      int fieldsRestored,
      int filesChanged,
      int fieldsKept,
      int damaged,
      List<String> notes) {}

  private ManifestReverter() {}

  static Result revert(List<ManifestFile> files) {
    int recorded = 0;
    int objects = 0;
    int fields = 0;
    int kept = 0;
    int damaged = 0;
    List<String> notes = new ArrayList<>();
    Shared shared = Shared.of(files);
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) {
        for (ManifestObject o : d.objects()) {
          Undo undo = Undo.of(o.node(), shared.served(o));
          if (!undo.recorded()) continue;
          recorded++;
          String where = f.name() + ":" + o.line() + ": " + name(undo) + ": ";
          String stays = shared.services().get(undo.ref());
          if (stays != null && !undo.damaged()) {
            kept++;
            notes.add(where + "left as it is: " + stays);
            continue;
          }
          if (undo.damaged()) {
            damaged++;
            notes.add(
                where
                    + "its nonroot.dev/changes annotation cannot be read as a record; left as it is");
            continue;
          }
          // Noted before anything is applied: the notes show the values as read.
          for (ChangeRecord.Entry e : undo.kept()) {
            kept++;
            notes.add(where + o.fieldPrefix() + e.field() + " left as it is: " + undo.why(e));
          }
          if (undo.changes().isEmpty()) continue;
          undo.applyTo(o.node());
          d.markChanged();
          objects++;
          fields += undo.restored().size();
        }
      }
    }
    int filesChanged = (int) files.stream().filter(ManifestFile::changed).count();
    return new Result(recorded, objects, fields, filesChanged, kept, damaged, List.copyOf(notes));
  }

  /**
   * The Services of the input that stay (the engine's {@link ServiceRestore}: another workload of
   * the input still listens on the moved port once everything is reverted), with why, and for each
   * workload in front of which one stays the moved ports its own undo keeps.
   */
  private record Shared(
      Map<ObjectRef, String> services, Map<ManifestObject, Map<String, String>> ports) {
    static Shared of(List<ManifestFile> files) {
      ManifestInventory read = ManifestInventory.of(files);
      Map<String, List<WorkloadPods>> after = new HashMap<>();
      List<Map.Entry<ManifestObject, Workload>> workloads = new ArrayList<>();
      boolean anyRecorded = false;
      for (ManifestFile f : files) {
        for (ManifestDocument d : f.documents()) {
          for (ManifestObject o : d.objects()) {
            Optional<Workload> w = Workload.of(o.node());
            if (w.isEmpty()) {
              anyRecorded |= Trees.valueAt(o.node(), RecordedPatch.RECORD) != null;
              continue;
            }
            ObjectNode reverted = o.node().deepCopy();
            Undo undo = Undo.of(reverted);
            // Every workload, recorded or not: one that listens on a moved port of its own (the
            // operator's restore kept its move, without a record) keeps the Service there too.
            workloads.add(Map.entry(o, w.get()));
            if (undo.recorded() && !undo.damaged()) {
              anyRecorded = true;
              undo.applyTo(reverted);
            }
            Workload back = Workload.of(reverted).orElse(w.get());
            after
                .computeIfAbsent(back.effectiveNamespace(), k -> new ArrayList<>())
                .add(WorkloadPods.of(back));
          }
        }
      }
      Map<ObjectRef, String> services = new HashMap<>();
      // By identity: the trees are edited once the revert applies.
      Map<ManifestObject, Map<String, String>> ports = new IdentityHashMap<>();
      if (!anyRecorded) return new Shared(services, ports);
      // What each Service finds behind it: the workloads as the revert leaves them.
      Inventory reverted = read.withWorkloads(ns -> after.getOrDefault(ns, List.of()));
      for (Map.Entry<ManifestObject, Workload> w : workloads) {
        List<ServiceRestore> restores = ServiceRestore.of(w.getValue(), null, reverted);
        for (ServiceRestore r : restores) {
          if (r.kept() != null) services.putIfAbsent(r.service(), r.kept());
        }
        Map<String, String> served = ServiceRestore.served(restores);
        if (!served.isEmpty()) ports.put(w.getKey(), served);
      }
      return new Shared(services, ports);
    }

    Map<String, String> served(ManifestObject o) {
      return ports.getOrDefault(o, Map.of());
    }
  }

  private static String name(Undo undo) {
    String ns = undo.ref().namespace();
    return undo.ref().kind() + " " + (ns.isEmpty() ? "" : ns + "/") + undo.ref().name();
  }
}
