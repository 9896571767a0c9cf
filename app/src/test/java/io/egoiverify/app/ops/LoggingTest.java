package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(10)
class LoggingTest {

    @Test
    void jsonFormatTurnsConsoleAppendersIntoOneJsonObjectPerLineWithoutRawArguments() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> before = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(before::add);
        Level appLevel = ctx.getLogger("io.egoiverify").getLevel();
        try {
            Logging.configure("json", "debug");
            List<Appender<ILoggingEvent>> after = new ArrayList<>();
            root.iteratorForAppenders().forEachRemaining(after::add);
            ConsoleAppender<ILoggingEvent> console = after.stream().filter(a -> a instanceof ConsoleAppender)
                    .map(a -> (ConsoleAppender<ILoggingEvent>) a).findFirst().orElseThrow();
            assertThat(console.getEncoder()).isInstanceOf(JsonEncoder.class);
            assertThat(ctx.getLogger("io.egoiverify").getLevel()).isEqualTo(Level.DEBUG);

            LoggingEvent event = new LoggingEvent(getClass().getName(), ctx.getLogger("io.egoiverify.x"), Level.INFO,
                    "sent to {}", null, new Object[] {"+351*******00"});
            String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
            assertThat(line).startsWith("{").endsWith("}\n").contains("\"level\":\"INFO\"")
                    .contains("\"formattedMessage\":\"sent to +351*******00\"").doesNotContain("\"arguments\"");
            assertThat(line.strip().lines()).hasSize(1);
            after.forEach(root::detachAppender);
        } finally {
            before.forEach(a -> {
                a.start();
                root.addAppender(a);
            });
            ctx.getLogger("io.egoiverify").setLevel(appLevel);
        }
    }
}
