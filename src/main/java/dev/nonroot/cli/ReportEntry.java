package dev.nonroot.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nonroot.engine.plan.Change;
import dev.nonroot.manifest.ManifestObject;

/**
 * One change as fix's --report lists it. {@code path} is an RFC 6901 pointer into the document
 * (List items included); {@code from} is null when the field was absent, {@code to} null when
 * removed. {@code applied} is false when the governing policy is in Audit mode.
 */
@JsonPropertyOrder({
  "file",
  "kind",
  "namespace",
  "name",
  "container",
  "field",
  "path",
  "from",
  "to",
  "rule",
  "reason",
  "applied"
})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ReportEntry(
    String file,
    String kind,
    String namespace,
    String name,
    String container,
    String field,
    String path,
    JsonNode from,
    JsonNode to,
    String rule,
    String reason,
    boolean applied) {

  static ReportEntry of(ManifestObject target, Change c, boolean applied) {
    return new ReportEntry(
        target.document().file().name(),
        c.target().kind(),
        c.target().namespace(),
        c.target().name(),
        c.container(),
        target.fieldPrefix() + c.field(),
        target.pointerPrefix() + c.path().pointer(),
        c.oldValue(),
        c.newValue(),
        c.rule().name(),
        c.reason(),
        applied);
  }
}
