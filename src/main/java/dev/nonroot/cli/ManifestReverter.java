package dev.nonroot.cli;

import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.rollout.Undo;
import dev.nonroot.manifest.ManifestDocument;
import dev.nonroot.manifest.ManifestFile;
import dev.nonroot.manifest.ManifestObject;
import java.util.ArrayList;
import java.util.List;

/**
 * revert without the I/O: asks the engine's {@link Undo} about every object that carries a
 * nonroot.dev/changes record (workloads and Services alike, {@code kind: List} items included),
 * applies what it restores to the documents' trees (marking them changed), and notes each field it
 * leaves because someone changed it since.
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
    for (ManifestFile f : files) {
      for (ManifestDocument d : f.documents()) {
        for (ManifestObject o : d.objects()) {
          Undo undo = Undo.of(o.node());
          if (!undo.recorded()) continue;
          recorded++;
          String where = f.name() + ":" + o.line() + ": " + name(undo) + ": ";
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

  private static String name(Undo undo) {
    String ns = undo.ref().namespace();
    return undo.ref().kind() + " " + (ns.isEmpty() ? "" : ns + "/") + undo.ref().name();
  }
}
