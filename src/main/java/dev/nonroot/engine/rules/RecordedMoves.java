package dev.nonroot.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.api.Annotations;
import dev.nonroot.engine.model.FieldPath;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.model.Workload;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The port moves the workload's own change record proves and that still hold: the container (found
 * by name, wherever it stands now) still declares the port the low one was moved to. Only the
 * record counts as evidence: a port that merely looks moved may belong to another workload behind
 * the same Service, or be the author's own choice.
 */
final class RecordedMoves {
  /** Container {@code container} moved {@code from} to {@code to}, which it still declares. */
  record Move(ContainerView container, int from, int to, String protocol) {
    String fromKey() {
      return from + "/" + protocol;
    }
  }

  private static final RecordedMoves NONE = new RecordedMoves(List.of());
  private final List<Move> moves;

  private RecordedMoves(List<Move> moves) {
    this.moves = moves;
  }

  static RecordedMoves of(Workload w, List<ContainerView> containers) {
    String annotation = w.annotations().get(Annotations.CHANGES);
    if (annotation == null) return NONE;
    List<Move> out = new ArrayList<>();
    for (ChangeRecord.Entry e : ChangeRecord.parse(annotation).entries()) {
      if (!Rule.PortRemap.name().equals(e.rule())) continue;
      Integer from = Trees.intValue(e.from());
      Integer to = Trees.intValue(e.to());
      Optional<FieldPath> at = e.locate(w.root());
      if (from == null || to == null || at.isEmpty()) continue;
      ContainerView c = containerOf(at.get(), containers);
      if (c == null) continue;
      FieldPath item = declaring(c, at.get(), to);
      if (item == null) continue;
      String protocol = Trees.at(w.root(), item).path("protocol").asText("TCP");
      out.add(new Move(c, from, to, protocol));
    }
    return out.isEmpty() ? NONE : new RecordedMoves(List.copyOf(out));
  }

  private static ContainerView containerOf(FieldPath field, List<ContainerView> containers) {
    for (ContainerView c : containers) {
      if (field.pointer().startsWith(c.path().pointer() + "/")) return c;
    }
    return null;
  }

  /**
   * The container's port item that declares {@code port}: the recorded one when it still does, else
   * the first that does (an apply or an edit may have reordered the list).
   */
  private static FieldPath declaring(ContainerView c, FieldPath recorded, int port) {
    JsonNode ports = c.node().path("ports");
    FieldPath list = c.path().key("ports");
    List<Integer> order = new ArrayList<>();
    FieldPath recordedItem = recorded.parent();
    if (recordedItem.lastIsIndex() && recordedItem.parent().equals(list)) {
      order.add(Integer.parseInt(recordedItem.lastToken()));
    }
    for (int i = 0; i < ports.size(); i++) order.add(i);
    for (int i : order) {
      if (Integer.valueOf(port).equals(Trees.intValue(ports.path(i).get("containerPort")))) {
        return list.index(i, null);
      }
    }
    return null;
  }

  /**
   * Low ports moved earlier that no container of the pod declares any more: key "80/TCP" -> the
   * port it moved to. References still pointing at the old port follow the move.
   */
  Map<String, Integer> settled(Set<String> declaredKeys) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Move m : moves) {
      if (!declaredKeys.contains(m.fromKey())) out.putIfAbsent(m.fromKey(), m.to());
    }
    return out;
  }

  /**
   * The port an earlier fix moved {@code port}/{@code protocol} of {@code container} to, when the
   * container still declares that moved port: then a declared {@code port} is the old port declared
   * again beside it (a {@code kubectl apply} of the original manifest merges container ports by
   * containerPort, so it adds 80 back next to 8080). Null when the record proves no such thing.
   */
  Integer redeclared(ContainerView container, int port, String protocol) {
    for (Move m : moves) {
      if (m.container().path().equals(container.path())
          && m.from() == port
          && m.protocol().equals(protocol)) {
        return m.to();
      }
    }
    return null;
  }
}
