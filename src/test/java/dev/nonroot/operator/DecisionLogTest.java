package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.cli.LogSetup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * `run --log-format json`: every line on standard error is one JSON object, and each write the
 * operator makes is one line naming policy, object, outcome and how many fields, never what the
 * object holds.
 */
class DecisionLogTest extends OperatorTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream stderr;
  private LoggerContext logback;

  @BeforeEach
  void jsonLogsToABuffer() {
    stderr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    // The build turns the log down to WARN; decisions are INFO.
    logback.getLogger(DecisionLog.class).setLevel(Level.INFO);
    LogSetup.json();
  }

  @AfterEach
  void backToText() throws Exception {
    System.setErr(stderr);
    logback.reset();
    new ContextInitializer(logback).autoConfig();
  }

  private List<String> lines() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void eachWriteIsOneJsonLineWithPolicyObjectOutcomeAndFieldCount() throws Exception {
    harness.apply("/operator/shop.yaml");
    harness.apply("/operator/policy-enforce.yaml");
    harness.start(Duration.ofSeconds(30));

    // Three workloads and one Service patched.
    await().atMost(Duration.ofSeconds(30)).until(() -> decisions().size() >= 4);
    List<JsonNode> decisions = decisions();
    JsonNode web =
        decisions.stream()
            .filter(d -> d.path("kind").asText().equals("Deployment"))
            .findFirst()
            .orElseThrow();
    assertThat(web.path("time").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(web.path("level").asText()).isEqualTo("INFO");
    assertThat(web.path("logger").asText()).isEqualTo(DecisionLog.class.getName());
    assertThat(web.path("policy").asText()).isEqualTo("baseline");
    assertThat(web.path("namespace").asText()).isEqualTo("shop");
    assertThat(web.path("name").asText()).isEqualTo("web");
    assertThat(web.path("outcome").asText()).isEqualTo("remediated");
    assertThat(web.path("fields").isInt()).isTrue();
    assertThat(web.path("fields").asInt()).isGreaterThan(1);
    assertThat(web.path("message").asText())
        .isEqualTo(
            "Deployment/shop/web: remediated by policy baseline ("
                + web.path("fields").asInt()
                + " field(s))");
    // The Service whose targetPort moved has its own line; nothing of either object's content.
    assertThat(decisions)
        .anySatisfy(
            d -> {
              assertThat(d.path("kind").asText()).isEqualTo("Service");
              assertThat(d.path("name").asText()).isEqualTo("web");
              assertThat(d.path("fields").asInt()).isEqualTo(1);
            });
    assertThat(decisions).extracting(JsonNode::toString).noneMatch(d -> d.contains("nginx"));
  }

  /** The decision lines; every line on standard error must parse as a JSON object. */
  private List<JsonNode> decisions() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines()) {
      // The mock server logs through java.util.logging, not through the operator's log.
      if (!line.startsWith("{")) continue;
      JsonNode node = JSON.readTree(line);
      assertThat(node.isObject()).isTrue();
      assertThat(node.has("time") && node.has("level") && node.has("logger") && node.has("message"))
          .as(line)
          .isTrue();
      if (node.path("logger").asText().equals(DecisionLog.class.getName())) out.add(node);
    }
    return out;
  }
}
