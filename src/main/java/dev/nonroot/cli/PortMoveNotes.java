package dev.nonroot.cli;

import dev.nonroot.engine.Decision;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.engine.plan.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * What fix says on standard error when it moves a port that no Service in the input follows: a
 * Service in a file that was not passed still sends traffic to the old port, so the user should fix
 * the workload and its Services together (for example the whole directory).
 */
final class PortMoveNotes {
  private PortMoveNotes() {}

  static List<String> of(List<WorkloadResult> results) {
    List<String> notes = new ArrayList<>();
    for (WorkloadResult r : results) {
      if (r.decision().action() != Decision.Action.PATCH) continue;
      if (!r.evaluation().serviceChanges().isEmpty()) continue;
      List<String> moves = new ArrayList<>();
      for (Change c : r.evaluation().changes()) {
        if (c.rule() == Rule.PortRemap && c.field().endsWith("containerPort")) {
          moves.add(Change.render(c.oldValue()) + " -> " + Change.render(c.newValue()));
        }
      }
      if (moves.isEmpty()) continue;
      notes.add(
          "note: "
              + r.object().kind()
              + " "
              + (r.object().namespace().isEmpty() ? "" : r.object().namespace() + "/")
              + r.object().name()
              + ": moved port "
              + String.join(", ", moves)
              + ", and no Service in the input follows it; a Service in a file not passed here"
              + " still targets the old port: fix the workload together with its Services (e.g."
              + " the whole directory)");
    }
    return notes;
  }
}
