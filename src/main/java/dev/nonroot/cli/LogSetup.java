package dev.nonroot.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Changes to the log that logback.xml sets up (text on standard error, level from {@value #LEVEL}),
 * made by commands at start. No-ops when another SLF4J backend is in use.
 */
public final class LogSetup {
  /** The system property that sets the root level (default INFO). */
  public static final String LEVEL = "nonroot.log.level";

  private LogSetup() {}

  /**
   * Warnings and errors only, unless {@value #LEVEL} says otherwise: for commands whose output is
   * the point (demo, bench) and whose log would bury it.
   */
  public static void quiet() {
    if (System.getProperty(LEVEL) != null) return;
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }

  /** From now on, one JSON object a line on standard error ({@link JsonLogLayout}). */
  public static void json() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    JsonLogLayout layout = new JsonLogLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
    json.setContext(context);
    json.setName("JSON");
    json.setTarget("System.err");
    json.setEncoder(encoder);
    json.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> text = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(text::add);
    // The new one first: no line is lost in between.
    root.addAppender(json);
    for (Appender<ILoggingEvent> a : text) {
      root.detachAppender(a);
      a.stop();
    }
  }
}
