package dev.nonroot.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.model.Trees;
import dev.nonroot.engine.plan.Rule;
import dev.nonroot.engine.record.ChangeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port moves an undo keeps because a Service that stays still sends its traffic to the moved
 * port: a Service has one targetPort for every pod it selects, and when it stays on the moved port
 * for another workload, this workload's pods must keep listening there too. A kept move keeps what
 * moved with it: the probes and listen settings of its container that the same move rewrote, and a
 * duplicate of the old port that a re-fix removed beside it.
 */
final class ServedPorts {
  private ServedPorts() {}

  /** A recorded move of one container's port, as it stands in the object. */
  private record Move(String list, String container, int from, int to, String reason) {
    boolean sameContainer(ChangeRecord.Entry e) {
      return Objects.equals(list, e.place().list()) && Objects.equals(container, e.container());
    }
  }

  /**
   * The entries of {@code record} that stay, each with why: the containerPort moves whose port
   * ({@code "8080/TCP"}) is in {@code served}, and what moved with them.
   *
   * @param served the moved ports a Service that stays sends to, each with why it stays
   */
  static Map<ChangeRecord.Entry, String> of(
      JsonNode object, ChangeRecord record, Map<String, String> served) {
    Map<ChangeRecord.Entry, String> out = new LinkedHashMap<>();
    if (served.isEmpty()) return out;
    List<Move> moves = new ArrayList<>();
    for (ChangeRecord.Entry e : record.entries()) {
      Optional<String> port = e.movedPort(object);
      Integer from = Trees.intValue(e.original());
      if (port.isEmpty() || from == null) continue;
      String reason = served.get(port.get());
      if (reason == null) continue;
      out.put(e, reason);
      moves.add(new Move(e.place().list(), e.container(), from, Trees.intValue(e.to()), reason));
    }
    if (moves.isEmpty()) return out;
    for (ChangeRecord.Entry e : record.entries()) {
      if (out.containsKey(e) || e.reverted()) continue;
      for (Move m : moves) {
        if (!m.sameContainer(e) || !movedWith(e, m, object)) continue;
        out.put(e, m.reason());
        break;
      }
    }
    return out;
  }

  /**
   * Whether {@code e} is part of move {@code m}: a probe, a listen setting, a removed duplicate.
   */
  private static boolean movedWith(ChangeRecord.Entry e, Move m, JsonNode object) {
    if (e.removedItem()) {
      ChangeRecord.Item item = e.place().item();
      return item.port() != null && item.port() == m.from() && e.locate(object).isEmpty();
    }
    if (e.stillApplied(object).isEmpty()) return false;
    if (Rule.ProbePort.name().equals(e.rule())) {
      return Objects.equals(Trees.intValue(e.original()), m.from())
          && Objects.equals(Trees.intValue(e.to()), m.to());
    }
    if (Rule.ListenSetting.name().equals(e.rule())
        && e.original() != null
        && e.original().isTextual()
        && e.to() != null
        && e.to().isTextual()) {
      return rewrites(e.original().asText(), e.to().asText(), m.from(), m.to());
    }
    return false;
  }

  /** Whether {@code to} is {@code from} with one whole-number mention of a port moved to b. */
  private static boolean rewrites(String from, String to, int a, int b) {
    Matcher mention = Pattern.compile("(?<![0-9])" + a + "(?![0-9])").matcher(from);
    while (mention.find()) {
      String moved = from.substring(0, mention.start()) + b + from.substring(mention.end());
      if (moved.equals(to)) return true;
    }
    return false;
  }
}
