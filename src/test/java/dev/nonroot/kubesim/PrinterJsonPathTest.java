package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrinterJsonPathTest {
  private static final JsonNode POLICY =
      read(
          """
      {"metadata": {"name": "p", "labels": {"app.kubernetes.io/name": "x"}},
       "spec": {"mode": "Enforce", "ports": [80, 443]},
       "status": {"matched": 3,
                  "conditions": [{"type": "Valid", "status": "True", "generation": 1},
                                 {"type": "Ready", "status": "False", "reason": "Pending", "generation": 2}]}}
      """);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        ".spec.mode                                           | Enforce",
        "{.spec.mode}                                         | Enforce",
        "$.spec.mode                                          | Enforce",
        "spec.mode                                            | Enforce",
        ".status.matched                                      | 3",
        ".spec.ports[1]                                       | 443",
        ".spec.ports[-1]                                      | 443",
        ".status.conditions[?(@.type==\"Ready\")].status     | False",
        ".status.conditions[?(@.type == 'Ready')].reason     | Pending",
        ".status.conditions[?(@.type!=\"Ready\")].type       | Valid",
        ".status.conditions[?(@.generation>1)].type          | Ready",
        ".status.conditions[?(@.reason)].type                | Ready",
        ".metadata.labels['app.kubernetes.io/name']          | x",
        ".status.conditions[*].type                          | Valid",
      })
  void selectsTheFirstMatch(String path, String expected) {
    List<JsonNode> results = PrinterJsonPath.parse(path).select(POLICY);
    assertThat(results).isNotEmpty();
    assertThat(results.get(0).asText()).isEqualTo(expected);
  }

  @Test
  void wildcardsSelectEveryElement() {
    assertThat(PrinterJsonPath.parse(".status.conditions[*].type").select(POLICY))
        .extracting(JsonNode::asText)
        .containsExactly("Valid", "Ready");
    assertThat(PrinterJsonPath.parse(".spec.*").select(POLICY)).hasSize(2);
  }

  @Test
  void missingFieldsSelectNothing() {
    assertThat(PrinterJsonPath.parse(".status.needsRoot").select(POLICY)).isEmpty();
    assertThat(
            PrinterJsonPath.parse(".status.conditions[?(@.type==\"Gone\")].status").select(POLICY))
        .isEmpty();
    assertThat(PrinterJsonPath.parse(".spec.ports[5]").select(POLICY)).isEmpty();
    assertThat(PrinterJsonPath.parse(".spec.mode.deeper").select(POLICY)).isEmpty();
  }

  @Test
  void rejectsWhatItCannotEvaluate() {
    assertThatThrownBy(() -> PrinterJsonPath.parse(".status.conditions[?(@.type=~\"R.*\")]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported JSONPath");
    assertThatThrownBy(() -> PrinterJsonPath.parse(".spec["))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
