package io.egoiverify.app.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.format} and {@code log.level} to logback at start-up. The JSON format is logback's own
 * {@link JsonEncoder}, one object per line, without the raw log arguments (only the formatted message, which
 * components already keep free of secrets).
 */
public final class Logging {
    private Logging() {
    }

    private static JsonEncoder jsonEncoder(LoggerContext ctx) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(ctx);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.start();
        return encoder;
    }

    /** Sets the application's log level and, for {@code json}, turns every console appender into JSON lines. */
    public static void configure(String format, String level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext ctx)) {
            return;
        }
        ctx.getLogger("io.egoiverify").setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
        if (!"json".equals(format)) {
            return;
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof ConsoleAppender<ILoggingEvent> c && !(c.getEncoder() instanceof JsonEncoder)) {
                consoles.add(a);
            }
        });
        for (Appender<ILoggingEvent> current : consoles) {
            ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
            json.setContext(ctx);
            json.setName(current.getName());
            json.setTarget(((ConsoleAppender<ILoggingEvent>) current).getTarget());
            json.setEncoder(jsonEncoder(ctx));
            json.start();
            root.detachAppender(current);
            current.stop();
            root.addAppender(json);
        }
    }
}
