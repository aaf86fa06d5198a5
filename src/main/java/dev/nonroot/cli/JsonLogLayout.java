package dev.nonroot.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object a line: {@code time}, {@code level}, {@code logger}, {@code thread}, {@code
 * message}, the event's key-value pairs as fields of their own (a decision's policy, kind,
 * namespace, name, outcome, fields), and {@code exception} when there is one.
 */
final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static final Set<String> OWN =
      Set.of("time", "level", "logger", "thread", "message", "exception");

  @Override
  public String doLayout(ILoggingEvent event) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("time", TIME.format(event.getInstant()));
    line.put("level", event.getLevel().toString());
    line.put("logger", event.getLoggerName());
    line.put("thread", event.getThreadName());
    line.put("message", event.getFormattedMessage());
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair kv : pairs) {
        // A pair never hides one of the fields every line has.
        if (kv.key == null || OWN.contains(kv.key)) continue;
        if (kv.value instanceof Integer i) line.put(kv.key, i);
        else if (kv.value instanceof Long l) line.put(kv.key, l);
        else line.put(kv.key, String.valueOf(kv.value));
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) line.put("exception", ThrowableProxyUtil.asString(thrown));
    // Jackson escapes every line break inside a value: one event, one line.
    return line + System.lineSeparator();
  }
}
