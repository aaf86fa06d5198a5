package dev.nonroot.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Types an unquoted scalar the way Kubernetes does (sigs.k8s.io/yaml, i.e. go-yaml v2's YAML 1.1
 * rules): {@code yes}/{@code on}/{@code y} are booleans, {@code 0x1F} and {@code 0o17} integers,
 * {@code 1e3} a float, while timestamps and {@code 12:30} stay strings.
 */
final class PlainScalars {
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
  private static final Set<String> TRUES =
      Set.of("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON");
  private static final Set<String> FALSES =
      Set.of("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF");
  private static final Set<String> POSITIVE_INF =
      Set.of(".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF");
  private static final Set<String> NEGATIVE_INF = Set.of("-.inf", "-.Inf", "-.INF");
  private static final Set<String> NAN = Set.of(".nan", ".NaN", ".NAN");
  private static final Pattern INT =
      Pattern.compile("[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)");
  private static final Pattern FLOAT =
      Pattern.compile("[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?");

  private PlainScalars() {}

  /** The value an unquoted scalar stands for. */
  static JsonNode value(String text) {
    if (!text.isEmpty() && plainText(text.charAt(0))) return TextNode.valueOf(text);
    if (NULLS.contains(text)) return NullNode.getInstance();
    if (TRUES.contains(text)) return BooleanNode.TRUE;
    if (FALSES.contains(text)) return BooleanNode.FALSE;
    if (POSITIVE_INF.contains(text)) return DoubleNode.valueOf(Double.POSITIVE_INFINITY);
    if (NEGATIVE_INF.contains(text)) return DoubleNode.valueOf(Double.NEGATIVE_INFINITY);
    if (NAN.contains(text)) return DoubleNode.valueOf(Double.NaN);
    char first = text.charAt(0);
    if (first == '+' || first == '-' || first == '.' || (first >= '0' && first <= '9')) {
      JsonNode number = number(text);
      if (number != null) return number;
    }
    return TextNode.valueOf(text);
  }

  /**
   * A first character that no null, boolean or number starts with: the common case, decided at
   * once.
   */
  private static boolean plainText(char c) {
    return switch (c) {
      case '~', 'n', 'N', 'y', 'Y', 't', 'T', 'f', 'F', 'o', 'O', '.', '+', '-' -> false;
      default -> !(c >= '0' && c <= '9');
    };
  }

  /** Whether the text, written without quotes, still reads back as this same string. */
  static boolean staysText(String text) {
    return !text.isEmpty() && value(text).isTextual();
  }

  private static JsonNode number(String text) {
    // Most numbers in manifests are small decimal integers (ports, replicas, UIDs): read them
    // without the patterns. Nine digits always fit an int.
    int length = text.length();
    char first = text.charAt(0);
    if (length <= 9 && first >= '1' && first <= '9' || text.equals("0")) {
      int v = 0;
      int i = 0;
      while (i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        v = v * 10 + (text.charAt(i) - '0');
        i++;
      }
      if (i == length) return JsonNodeFactory.instance.numberNode(v);
    }
    String plain = text.indexOf('_') >= 0 ? text.replace("_", "") : text;
    if (plain.isEmpty()) return null;
    if (INT.matcher(plain).matches()) return integer(plain);
    if (FLOAT.matcher(plain).matches()) {
      try {
        return DecimalNode.valueOf(new BigDecimal(plain));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static JsonNode integer(String plain) {
    boolean negative = plain.startsWith("-");
    String digits = plain.startsWith("-") || plain.startsWith("+") ? plain.substring(1) : plain;
    int radix = 10;
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      char p = Character.toLowerCase(digits.charAt(1));
      if (p == 'x') {
        radix = 16;
        digits = digits.substring(2);
      } else if (p == 'o') {
        radix = 8;
        digits = digits.substring(2);
      } else if (p == 'b') {
        radix = 2;
        digits = digits.substring(2);
      } else {
        radix = 8;
        digits = digits.substring(1);
      }
    }
    BigInteger v = new BigInteger(digits, radix);
    if (negative) v = v.negate();
    if (v.bitLength() < 32) return JsonNodeFactory.instance.numberNode(v.intValue());
    if (v.bitLength() < 64) return JsonNodeFactory.instance.numberNode(v.longValue());
    return JsonNodeFactory.instance.numberNode(v);
  }
}
