package dev.nonroot.engine.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.api.RecordedChange;
import java.nio.charset.StandardCharsets;

/** Bytes a change takes in the status's JSON (plus its separator), computed once per change. */
final class ListedSize {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Used if a change cannot be serialized at all: generous, so the budget still holds. */
  private static final int FALLBACK = 512;

  private ListedSize() {}

  static int of(RecordedChange c) {
    try {
      return JSON.writeValueAsString(c).getBytes(StandardCharsets.UTF_8).length + 1;
    } catch (JsonProcessingException e) {
      return FALLBACK;
    }
  }
}
