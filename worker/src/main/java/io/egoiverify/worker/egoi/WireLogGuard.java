package io.egoiverify.worker.egoi;

import java.lang.reflect.Method;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns HttpClient's wire and header loggers off. At DEBUG they print request bodies and headers: the API key and the
 * submitted code. Done programmatically so that no logging configuration can switch them on by mistake. Works on
 * Logback (the product's binding) by reflection, so this module needs no compile-time Logback dependency; with any
 * other binding it reports whether the loggers are off.
 */
public final class WireLogGuard {
    /** HttpClient 5's loggers that print message content. */
    public static final List<String> LOGGERS = List.of("org.apache.hc.client5.http.wire",
            "org.apache.hc.client5.http.headers");

    private WireLogGuard() {
    }

    /** Forces the loggers off; returns true when every one of them is now silent at every level. */
    public static boolean forceOff() {
        boolean allOff = true;
        for (String name : LOGGERS) {
            Logger logger = LoggerFactory.getLogger(name);
            setLogbackOff(logger);
            allOff &= !logger.isErrorEnabled() || !logger.isDebugEnabled();
        }
        return allOff;
    }

    private static void setLogbackOff(Logger logger) {
        Class<?> type = logger.getClass();
        if (!type.getName().equals("ch.qos.logback.classic.Logger")) {
            return;
        }
        try {
            Class<?> level = Class.forName("ch.qos.logback.classic.Level", true, type.getClassLoader());
            Object off = level.getField("OFF").get(null);
            Method setLevel = type.getMethod("setLevel", level);
            setLevel.invoke(logger, off);
        } catch (ReflectiveOperationException e) {
            LoggerFactory.getLogger(WireLogGuard.class).warn("Could not force {} off: {}", logger.getName(),
                    e.toString());
        }
    }
}
