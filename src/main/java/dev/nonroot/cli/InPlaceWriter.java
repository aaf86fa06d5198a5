package dev.nonroot.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces files whole: the new text goes to a temporary file next to the original, which is then
 * moved over it atomically, so a reader (or a crash) never sees a half-written manifest.
 */
final class InPlaceWriter {
  private InPlaceWriter() {}

  /** Writes each file's new text; names are only for messages. */
  static void write(Map<Path, String> contents, Map<Path, String> names) {
    List<String> done = new ArrayList<>();
    for (Map.Entry<Path, String> e : contents.entrySet()) {
      String name = names.get(e.getKey());
      try {
        replace(e.getKey(), e.getValue());
        done.add(name);
      } catch (IOException ex) {
        throw new BadInputException(
            name
                + ": cannot write: "
                + InputLoader.describe(ex)
                + (done.isEmpty()
                    ? "; no file was changed"
                    : "; already rewritten: " + String.join(", ", done)));
      }
    }
  }

  private static void replace(Path file, String text) throws IOException {
    Path target = file.toRealPath();
    Path dir = target.getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
      copyPermissions(target, tmp);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
    if (view == null) return;
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    Files.setPosixFilePermissions(to, perms);
  }
}
