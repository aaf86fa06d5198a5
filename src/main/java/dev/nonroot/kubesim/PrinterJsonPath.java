package dev.nonroot.kubesim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The JSONPath subset CRD printer columns use: {@code .a.b}, {@code ['a.b']}, {@code [0]}, {@code
 * [*]}, {@code .*} and filters such as {@code [?(@.type=="Ready")]} (==, !=, <, <=, >, >=, or bare
 * existence). An optional surrounding {@code {}} and leading {@code $} are accepted.
 */
public final class PrinterJsonPath {

  private sealed interface Step permits Field, Index, Wildcard, Filter {}

  private record Field(String name) implements Step {}

  private record Index(int index) implements Step {}

  private record Wildcard() implements Step {}

  private record Filter(List<Step> path, String operator, JsonNode literal) implements Step {}

  private final String expression;
  private final List<Step> steps;

  private PrinterJsonPath(String expression, List<Step> steps) {
    this.expression = expression;
    this.steps = steps;
  }

  /**
   * @throws IllegalArgumentException naming the expression when it is outside the supported subset
   */
  public static PrinterJsonPath parse(String expression) {
    String e = expression.trim();
    if (e.startsWith("{") && e.endsWith("}")) {
      e = e.substring(1, e.length() - 1).trim();
    }
    if (e.startsWith("$")) {
      e = e.substring(1);
    }
    try {
      Parser parser = new Parser(e);
      List<Step> steps = parser.steps(false);
      if (!parser.atEnd()) {
        throw parser.error("unexpected '" + e.charAt(parser.pos) + "'");
      }
      return new PrinterJsonPath(expression, steps);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(
          "unsupported JSONPath " + expression + ": " + ex.getMessage(), ex);
    }
  }

  public String expression() {
    return expression;
  }

  /** Every node the path selects, in document order; empty when nothing matches. */
  public List<JsonNode> select(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step step : steps) {
      current = apply(step, current);
    }
    return current;
  }

  private static List<JsonNode> select(List<Step> steps, JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step step : steps) {
      current = apply(step, current);
    }
    return current;
  }

  private static List<JsonNode> apply(Step step, List<JsonNode> nodes) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode node : nodes) {
      if (step instanceof Field f) {
        JsonNode child = node.get(f.name());
        if (child != null && node.isObject()) {
          out.add(child);
        }
      } else if (step instanceof Index i) {
        if (node.isArray()) {
          int idx = i.index() < 0 ? node.size() + i.index() : i.index();
          if (idx >= 0 && idx < node.size()) {
            out.add(node.get(idx));
          }
        }
      } else if (step instanceof Wildcard) {
        node.elements().forEachRemaining(out::add);
      } else if (step instanceof Filter f) {
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
          JsonNode element = it.next();
          if (matches(f, element)) {
            out.add(element);
          }
        }
      }
    }
    return out;
  }

  private static boolean matches(Filter filter, JsonNode element) {
    List<JsonNode> values = select(filter.path(), element);
    if (filter.operator() == null) {
      return !values.isEmpty();
    }
    for (JsonNode value : values) {
      int cmp = compare(value, filter.literal());
      boolean ok =
          switch (filter.operator()) {
            case "==" -> cmp == 0;
            case "!=" -> cmp != 0 && cmp != Integer.MIN_VALUE;
            case "<" -> cmp != Integer.MIN_VALUE && cmp < 0;
            case "<=" -> cmp != Integer.MIN_VALUE && cmp <= 0;
            case ">" -> cmp != Integer.MIN_VALUE && cmp > 0;
            case ">=" -> cmp != Integer.MIN_VALUE && cmp >= 0;
            default -> false;
          };
      if (ok) {
        return true;
      }
    }
    return false;
  }

  /** Integer.MIN_VALUE when the two cannot be compared. */
  private static int compare(JsonNode value, JsonNode literal) {
    if (value.isNumber() && literal.isNumber()) {
      return value.decimalValue().compareTo(literal.decimalValue());
    }
    if (value.isTextual() && literal.isTextual()) {
      return value.asText().compareTo(literal.asText());
    }
    if (value.isBoolean() && literal.isBoolean()) {
      return Boolean.compare(value.asBoolean(), literal.asBoolean());
    }
    return Integer.MIN_VALUE;
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    IllegalArgumentException error(String message) {
      return new IllegalArgumentException(message + " at position " + pos);
    }

    /** Steps until the end, or (inside a filter) until an operator or ')'. */
    List<Step> steps(boolean inFilter) {
      List<Step> steps = new ArrayList<>();
      while (!atEnd()) {
        char c = text.charAt(pos);
        if (inFilter && (c == ')' || c == ' ' || c == '=' || c == '!' || c == '<' || c == '>')) {
          break;
        }
        if (c == '.') {
          pos++;
          if (!atEnd() && text.charAt(pos) == '*') {
            pos++;
            steps.add(new Wildcard());
          } else if (!atEnd() && text.charAt(pos) != '.' && text.charAt(pos) != '[') {
            steps.add(new Field(name()));
          }
        } else if (c == '[') {
          steps.add(bracket());
        } else if (steps.isEmpty()) {
          steps.add(new Field(name())); // "spec.mode" without the leading dot
        } else {
          throw error("unexpected '" + c + "'");
        }
      }
      return steps;
    }

    private String name() {
      int start = pos;
      while (!atEnd() && "[].=!<>() ".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      if (start == pos) {
        throw error("empty field name");
      }
      return text.substring(start, pos);
    }

    private Step bracket() {
      pos++; // '['
      Step step;
      char c = peek();
      if (c == '*') {
        pos++;
        step = new Wildcard();
      } else if (c == '\'' || c == '"') {
        step = new Field(quoted());
      } else if (c == '?') {
        pos++;
        expect('(');
        skipSpaces();
        expect('@');
        List<Step> path = steps(true);
        skipSpaces();
        String operator = null;
        JsonNode literal = null;
        if (peek() != ')') {
          operator = operator();
          skipSpaces();
          literal = literal();
          skipSpaces();
        }
        expect(')');
        step = new Filter(path, operator, literal);
      } else {
        int start = pos;
        while (!atEnd() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
          pos++;
        }
        if (start == pos) {
          throw error("expected an index, '*', a quoted name or a filter");
        }
        step = new Index(Integer.parseInt(text.substring(start, pos)));
      }
      skipSpaces();
      expect(']');
      return step;
    }

    private String operator() {
      for (String op : List.of("==", "!=", "<=", ">=", "<", ">")) {
        if (text.startsWith(op, pos)) {
          pos += op.length();
          return op;
        }
      }
      throw error("expected a comparison operator");
    }

    private JsonNode literal() {
      char c = peek();
      if (c == '\'' || c == '"') {
        return TextNode.valueOf(quoted());
      }
      int start = pos;
      while (!atEnd() && text.charAt(pos) != ')' && text.charAt(pos) != ' ') {
        pos++;
      }
      String raw = text.substring(start, pos);
      if (raw.equals("true") || raw.equals("false")) {
        return BooleanNode.valueOf(Boolean.parseBoolean(raw));
      }
      try {
        return DecimalNode.valueOf(new BigDecimal(raw));
      } catch (NumberFormatException e) {
        throw error("expected a quoted string, number or boolean");
      }
    }

    private String quoted() {
      char quote = text.charAt(pos++);
      int end = text.indexOf(quote, pos);
      if (end < 0) {
        throw error("unterminated string");
      }
      String value = text.substring(pos, end);
      pos = end + 1;
      return value;
    }

    private char peek() {
      if (atEnd()) {
        throw error("unexpected end");
      }
      return text.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private void skipSpaces() {
      while (!atEnd() && text.charAt(pos) == ' ') {
        pos++;
      }
    }
  }
}
